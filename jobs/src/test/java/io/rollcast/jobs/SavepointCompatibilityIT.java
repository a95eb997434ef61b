package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.Kind;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.operators.EventParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Restores a savepoint committed under {@code src/test/resources/savepoints/rollups-v1} (written by
 * this version of the job) and checks the result, so a change that breaks state compatibility of
 * the stateful operators ({@code route-rejected}, {@code window-rollups}: state {@code panes},
 * {@code key-meta}, {@code seen-event-ids}) fails CI, as Flink's own migration tests do.
 *
 * <p>The fixture holds the savepoint, the latest row per window emitted before it and the events
 * dropped as too late before it. Regenerate it deliberately (and keep the old one as a new test
 * case when the state format changes on purpose) with
 * {@code mvn -pl jobs verify -Dit.test=SavepointCompatibilityIT -Drollcast.write-savepoint-fixture=true}.
 */
class SavepointCompatibilityIT {
    static final Path FIXTURE = Path.of("src/test/resources/savepoints/rollups-v1");
    static final int N = 20_000;
    static final GeneratorConfig GEN = new GeneratorConfig(
            99,
            20,
            3,
            1_767_225_600_000L,
            50,
            0.20,
            4_000,
            0.02,
            35_000,
            180_000,
            0.01,
            480_000,
            2_100_000,
            0.01,
            0.01);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static JobConfig config() {
        return JobConfig.defaults()
                .with("windows.dedup-horizon", "1d")
                .with("windows.early-interval", "200ms")
                .with("checkpoint.interval", "1s")
                .with("job.parallelism", "2");
    }

    static StreamExecutionEnvironment environment(JobConfig cfg, String restoreFrom) {
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        if (restoreFrom != null) {
            Configuration c = new Configuration();
            c.setString("execution.state-recovery.path", restoreFrom);
            env.configure(c);
        }
        return env;
    }

    record Outputs(QueueSink<WindowRow> rows, QueueSink<Event> tooLate) {}

    static Outputs wire(StreamExecutionEnvironment env, JobConfig cfg, double rate) {
        EventGenerator gen = new EventGenerator(GEN);
        var source = new DataGeneratorSource<>(
                new RollupJobOracleIT.Parsed(
                        gen,
                        new EventParser(cfg.maxRecordBytes(), cfg.maxFuture().toMillis())),
                N,
                rate > 0 ? RateLimiterStrategy.perSecond(rate) : RateLimiterStrategy.noOp(),
                TypeInformation.of(Ingested.class));
        var in = env.fromSource(source, RollupJob.watermarks(cfg), "fixture-source")
                .uid("fixture-source")
                .setParallelism(1);
        RollupJob.Outputs out = RollupJob.operators(in, cfg);
        // stateless sinks with fixed uids: collect sinks keep state that a restored job cannot reuse
        var rows = new QueueSink<WindowRow>("fixture-rows");
        var late = new QueueSink<Event>("fixture-late");
        out.rows().sinkTo(rows).uid("fixture-rows");
        out.tooLate().sinkTo(late).uid("fixture-late");
        return new Outputs(rows, late);
    }

    @Test
    void restoresTheCommittedSavepointAndEndsEqualToTheOracle() throws Exception {
        assertThat(FIXTURE.resolve("savepoint/_metadata"))
                .as("savepoint fixture")
                .exists();
        JobConfig cfg = config();
        StreamExecutionEnvironment env = environment(
                cfg, FIXTURE.resolve("savepoint").toAbsolutePath().toUri().toString());
        Outputs out = wire(env, cfg, 0);
        env.executeAsync("savepoint-restore").getJobExecutionResult().get(3, TimeUnit.MINUTES);

        List<WindowRow> rows = new ArrayList<>(readRows(FIXTURE.resolve("rows-before.jsonl.gz")));
        int before = rows.size();
        rows.addAll(out.rows().drain());
        Set<String> dropped = new HashSet<>(Files.readAllLines(FIXTURE.resolve("too-late-before.txt")));
        out.tooLate().drain().forEach(e -> dropped.add(e.eventId()));

        var expected = Oracle.expected(new EventGenerator(GEN), N, cfg.windowSpecs(), dropped);
        var actual = Oracle.values(Oracle.latest(rows));
        assertThat(Oracle.diff(expected, actual, 20)).isEmpty();
        assertThat(rows.size()).as("rows after the restore").isGreaterThan(before);
    }

    /**
     * The same savepoint restored into a job that keeps quantiles, distinct counts and anomaly
     * scores: the panes' new sketch fields (POJO schema evolution) and the new keyed state
     * {@code anomaly-history} are optional on restore; the rows still equal the oracle and carry stats
     * (the fixture spans 7 minutes: too short for anomaly scores, which need the history).
     */
    @Test
    void restoresTheCommittedSavepointIntoAJobWithWindowStats() throws Exception {
        JobConfig cfg = config().with("windows.quantiles", "0.5,0.99")
                .with("windows.distinct", "payload.user_id")
                .with("windows.anomaly.history", "5");
        StreamExecutionEnvironment env = environment(
                cfg, FIXTURE.resolve("savepoint").toAbsolutePath().toUri().toString());
        Outputs out = wire(env, cfg, 0);
        env.executeAsync("savepoint-restore-stats").getJobExecutionResult().get(3, TimeUnit.MINUTES);

        List<WindowRow> after = out.rows().drain();
        assertThat(after).isNotEmpty().allSatisfy(r -> assertThat(r.stats()).isNotNull());
        assertThat(after).anySatisfy(r -> assertThat(r.stats().hasQuantiles()).isTrue());
        List<WindowRow> rows = new ArrayList<>(readRows(FIXTURE.resolve("rows-before.jsonl.gz")));
        rows.addAll(after);
        Set<String> dropped = new HashSet<>(Files.readAllLines(FIXTURE.resolve("too-late-before.txt")));
        out.tooLate().drain().forEach(e -> dropped.add(e.eventId()));
        var expected = Oracle.expected(new EventGenerator(GEN), N, cfg.windowSpecs(), dropped);
        assertThat(Oracle.diff(expected, Oracle.values(Oracle.latest(rows)), 20))
                .isEmpty();
    }

    @Test
    @EnabledIfSystemProperty(named = "rollcast.write-savepoint-fixture", matches = "true")
    void writeFixture() throws Exception {
        JobConfig cfg = config();
        StreamExecutionEnvironment env = environment(cfg, null);
        Outputs out = wire(env, cfg, 4_000);
        var client = env.executeAsync("savepoint-fixture");
        Thread.sleep(2_500); // about half the input, with checkpoints taken
        Path tmp = Files.createTempDirectory("sp");
        String sp = client.stopWithSavepoint(false, tmp.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(1, TimeUnit.MINUTES);
        client.getJobExecutionResult().get(1, TimeUnit.MINUTES);

        Path target = FIXTURE.resolve("savepoint");
        if (Files.exists(FIXTURE)) {
            try (Stream<Path> s = Files.walk(FIXTURE)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(target);
        Path src = Path.of(java.net.URI.create(sp));
        try (Stream<Path> s = Files.list(src)) {
            for (Path p : s.toList())
                Files.copy(p, target.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, WindowRow> latest = Oracle.latest(out.rows().drain());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(FIXTURE.resolve("rows-before.jsonl.gz")))) {
            for (WindowRow r : latest.values()) {
                o.write(RowCodec.rowJson(r));
                o.write('\n');
            }
        }
        Files.write(
                FIXTURE.resolve("too-late-before.txt"),
                out.tooLate().drain().stream().map(Event::eventId).toList());
        System.out.printf("savepoint fixture written to %s: %d rows before%n", FIXTURE.toAbsolutePath(), latest.size());
    }

    static List<WindowRow> readRows(Path gz) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<WindowRow> rows = new ArrayList<>();
        try (var r = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode n = json.readTree(line);
                rows.add(new WindowRow(
                        n.get("tenant_id").asText(),
                        n.get("event_type").asText(),
                        n.get("spec").asText(),
                        n.get("window_start").asLong(),
                        n.get("window_end").asLong(),
                        n.get("count").asLong(),
                        n.get("sum").asDouble(),
                        n.get("min").asDouble(),
                        n.get("max").asDouble(),
                        Kind.valueOf(n.get("kind").asText().toUpperCase()),
                        n.get("version").asLong(),
                        n.get("emitted_at").asLong()));
            }
        }
        return rows;
    }
}
