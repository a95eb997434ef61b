package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.Rejected;
import io.rollcast.model.WindowRow;
import io.rollcast.operators.EventParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job's window rows against an independent oracle, on a MiniCluster with RocksDB and checkpoints. */
class RollupJobOracleIT {
    static final int N = 100_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** Generated records through the same parser the Kafka deserializer uses. */
    static final class Parsed implements GeneratorFunction<Long, Ingested> {
        private final EventGenerator gen;
        private final EventParser parser;

        Parsed(EventGenerator gen, EventParser parser) {
            this.gen = gen;
            this.parser = parser;
        }

        @Override
        public Ingested map(Long i) {
            EventGenerator.Generated g = gen.get(i);
            EventParser.Result r = parser.parse(g.value(), System.currentTimeMillis());
            return r.isValid()
                    ? Ingested.of(r.event())
                    : Ingested.of(new Rejected(r.reason(), r.detail(), g.key(), g.value(), "generated", 0, i));
        }
    }

    @Test
    void finalRowsEqualTheOracleForAMixedStream() throws Exception {
        JobConfig cfg = JobConfig.defaults()
                .with("windows.dedup-horizon", "10m")
                .with("windows.early-interval", System.getProperty("early", "100ms"))
                .with("checkpoint.interval", "500ms")
                .with("job.parallelism", "2");
        EventGenerator gen = new EventGenerator(GeneratorConfig.mixed(42, 1_767_225_600_000L));

        StreamExecutionEnvironment env = LocalEnvironments.of(cfg, System.getProperty("backend", "rocksdb"));
        DataStream<Ingested> in = env.fromSource(
                        new DataGeneratorSource<>(
                                new Parsed(
                                        gen,
                                        new EventParser(
                                                cfg.maxRecordBytes(),
                                                cfg.maxFuture().toMillis())),
                                N,
                                TypeInformation.of(Ingested.class)),
                        RollupJob.watermarks(cfg),
                        "generated")
                .setParallelism(1); // one ordered split, like one Kafka partition
        RollupJob.Outputs out = RollupJob.operators(in, cfg);
        CloseableIterator<WindowRow> rowsIt = out.rows().collectAsync();
        CloseableIterator<Event> lateIt = out.tooLate().collectAsync();
        CloseableIterator<Rejected> rejectedIt = out.rejected().collectAsync();
        // collect sinks block when their buffers fill, so drain all three while the job runs
        var client = env.executeAsync("oracle");
        var rowsF = drainAsync(rowsIt);
        var lateF = drainAsync(lateIt);
        var rejectedF = drainAsync(rejectedIt);
        client.getJobExecutionResult().get(5, java.util.concurrent.TimeUnit.MINUTES);
        List<WindowRow> rows = rowsF.get();
        List<Event> tooLate = lateF.get();
        List<Rejected> rejected = rejectedF.get();

        Map<EventGenerator.Label, Long> labels = new java.util.EnumMap<>(EventGenerator.Label.class);
        Set<String> tooLateLabelled = new HashSet<>();
        for (long i = 0; i < N; i++) {
            var g = gen.get(i);
            labels.merge(g.label(), 1L, Long::sum);
            if (g.label() == EventGenerator.Label.TOO_LATE)
                tooLateLabelled.add(g.event().eventId());
        }
        Set<String> dropped = tooLate.stream().map(Event::eventId).collect(Collectors.toSet());

        // only events generated as too late may be dropped as too late, and most of them are
        assertThat(tooLateLabelled).containsAll(dropped);
        assertThat(dropped.size()).isGreaterThan(tooLateLabelled.size() / 2);
        // every bad record reaches the dead-letter output with its original bytes
        assertThat((long) rejected.size()).isEqualTo(labels.get(EventGenerator.Label.BAD));
        assertThat(rejected)
                .allSatisfy(
                        r -> assertThat(r.value()).isEqualTo(gen.get(r.offset()).value()));

        Map<String, Oracle.Values> expected = Oracle.expected(gen, N, cfg.windowSpecs(), dropped);
        Map<String, WindowRow> latest = Oracle.latest(rows);
        Map<String, Oracle.Values> actual = Oracle.values(latest);
        assertThat(Oracle.diff(expected, actual, 20)).isEmpty();
        assertThat(actual).hasSize(expected.size()).hasSizeGreaterThan(50_000);
        assertThat(latest.values()).allSatisfy(r -> assertThat(r.kind()).isNotEqualTo(io.rollcast.model.Kind.EARLY));

        long early = rows.stream()
                .filter(r -> r.kind() == io.rollcast.model.Kind.EARLY)
                .count();
        long late = rows.stream()
                .filter(r -> r.kind() == io.rollcast.model.Kind.LATE)
                .count();
        System.out.printf(
                "oracle IT: %d records %s, %d rows (%d early, %d late), %d windows, %d dropped too late%n",
                N, labels, rows.size(), early, late, latest.size(), dropped.size());
    }

    static <T> java.util.concurrent.CompletableFuture<List<T>> drainAsync(CloseableIterator<T> it) {
        return java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return drain(it);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                },
                java.util.concurrent.Executors.newSingleThreadExecutor());
    }

    static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}
