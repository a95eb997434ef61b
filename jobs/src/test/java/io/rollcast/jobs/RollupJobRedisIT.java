package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.Channels;
import io.rollcast.model.Ingested;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.operators.EventParser;
import io.rollcast.sinks.redis.DeltaSubscriber;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.StreamEntry;

/** The job's deltas on a real Redis, watched by real subscribers, against the independent oracle. */
@ExtendWith(RealServers.class)
@Timeout(300)
class RollupJobRedisIT {
    static final long H0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
    static final List<String> FIELDS = List.of(
            "tenant_id",
            "event_type",
            "spec",
            "window_start",
            "window_end",
            "kind",
            "version",
            "prev_version",
            "count",
            "sum",
            "min",
            "max",
            "d_count",
            "d_sum",
            "d_min",
            "d_max",
            "emitted_at",
            "stream_id");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** 4 tenants x 3 types, 3 % late events (35 s - 3 min), some out of order, too late, bad, duplicate. */
    static GeneratorConfig events(long seed, long start) {
        return new GeneratorConfig(
                seed, 4, 3, start, 50, 0.20, 4_000, 0.03, 35_000, 180_000, 0.01, 480_000, 2_100_000, 0.01, 0.01);
    }

    static JobConfig config(KafkaServer kafka, RedisServer redis) {
        return JobConfig.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.dlq-topic", kafka.freshTopic("dlq", 1))
                .with("kafka.late-topic", kafka.freshTopic("late", 1))
                .with("kafka.rows-topic", "")
                .with("windows.dedup-horizon", "10m")
                .with("windows.early-interval", "100ms")
                .with("checkpoint.interval", "500ms")
                .with("job.parallelism", "2")
                .with("redis.enabled", "true")
                .with("redis.uri", redis.uri().toString())
                .with("redis.stream-max-len", "1000000") // keep every entry, to compare streams with subscribers
                .with(
                        "redis.stream-ttl",
                        "3650d"); // the fixture's hours (2026-01-01) are long past: keep their streams
    }

    static StreamExecutionEnvironment job(JobConfig cfg, EventGenerator gen, long n, RateLimiterStrategy rate) {
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        var parsed = new RollupJobOracleIT.Parsed(
                gen, new EventParser(cfg.maxRecordBytes(), cfg.maxFuture().toMillis()));
        var source = new DataGeneratorSource<>(parsed, n, rate, TypeInformation.of(Ingested.class));
        RollupJob.Outputs out = RollupJob.operators(
                env.fromSource(source, RollupJob.watermarks(cfg), "generated").setParallelism(1),
                cfg); // one ordered split, like one Kafka partition
        RollupJob.sinks(out, cfg);
        return env;
    }

    static Set<String> tooLate(KafkaServer kafka, JobConfig cfg) throws Exception {
        Set<String> ids = new HashSet<>();
        for (var r : RollupJobKafkaIT.readAll(kafka, cfg.lateTopic())) {
            ids.add(DeltaSubscriber.parse(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8))
                    .get("event_id")
                    .asText());
        }
        return ids;
    }

    static String key(JsonNode m) {
        return Oracle.key(
                m.get("tenant_id").asText(),
                m.get("event_type").asText(),
                m.get("spec").asText(),
                m.get("window_start").asLong());
    }

    /** What a client applying every message (highest version wins) ends with. */
    static Map<String, JsonNode> apply(Iterable<JsonNode> messages) {
        Map<String, JsonNode> view = new TreeMap<>();
        for (JsonNode m : messages) {
            view.merge(
                    key(m),
                    m,
                    (a, b) -> b.get("version").asLong() > a.get("version").asLong() ? b : a);
        }
        return view;
    }

    static Map<String, Oracle.Values> values(Map<String, JsonNode> view) {
        Map<String, Oracle.Values> out = new TreeMap<>();
        view.forEach((k, m) -> out.put(
                k,
                new Oracle.Values(
                        m.get("count").asLong(),
                        m.get("sum").asDouble(),
                        m.get("min").asDouble(),
                        m.get("max").asDouble())));
        return out;
    }

    @Test
    void subscribersReceiveOrderedDeltasThatReproduceTheOracleAndMatchTheRecoveryStreams(
            RedisServer redis, KafkaServer kafka) throws Exception {
        try (Jedis j = new Jedis(redis.uri())) {
            j.flushAll();
        }
        final int n = 30_000; // event time 2025-12-31 23:56 - 2026-01-01 00:06
        EventGenerator gen = new EventGenerator(events(11, H0 - 4 * 60_000L));
        JobConfig cfg = config(kafka, redis);
        String hour23 = "rollcast:tenant-0000:tumbling-1m:2025123123";
        List<DeltaSubscriber.Received> got;
        List<DeltaSubscriber.Received> hourOnly;
        try (DeltaSubscriber all = DeltaSubscriber.pattern(redis.uri(), "rollcast:*");
                DeltaSubscriber one = DeltaSubscriber.channel(redis.uri(), hour23)) {
            long t0 = System.nanoTime();
            // 10 000 events/s: watermarks (every 200 ms of processing time) must advance during the run for events to
            // be
            // judged late; unthrottled, the whole input could pass between two watermarks and leave no late corrections
            job(cfg, gen, n, RateLimiterStrategy.perSecond(10_000)).execute("redis-it");
            all.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(20));
            got = all.messages();
            hourOnly = one.messages();
            System.out.printf(
                    "redis IT: %d events -> %d messages on %d channels in %.1f s%n",
                    n,
                    got.size(),
                    got.stream()
                            .map(DeltaSubscriber.Received::channel)
                            .distinct()
                            .count(),
                    (System.nanoTime() - t0) / 1e9);
        }
        List<JsonNode> msgs = got.stream().map(DeltaSubscriber.Received::json).toList();

        // schema, and the channel of each message is its window's hour
        assertThat(msgs).isNotEmpty().allSatisfy(m -> {
            List<String> names = new ArrayList<>();
            m.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactlyElementsOf(FIELDS);
            assertThat(m.get("kind").asText()).isIn("early", "final", "late");
            assertThat(m.get("stream_id").asText()).matches("\\d+-\\d+");
            assertThat(m.get("window_end").asLong() - m.get("window_start").asLong())
                    .isPositive();
        });
        for (int i = 0; i < got.size(); i++) {
            JsonNode m = msgs.get(i);
            assertThat(got.get(i).channel())
                    .isEqualTo(Channels.channelOfWindow(
                            m.get("tenant_id").asText(),
                            m.get("spec").asText(),
                            m.get("window_start").asLong()));
        }

        // per window: versions rise in arrival order, each delta is relative to the previous message
        Map<String, JsonNode> previous = new HashMap<>();
        for (JsonNode m : msgs) {
            JsonNode p = previous.put(key(m), m);
            assertThat(m.get("prev_version").asLong())
                    .as("%s", m)
                    .isEqualTo(p == null ? 0 : p.get("version").asLong());
            assertThat(m.get("version").asLong())
                    .isGreaterThan(m.get("prev_version").asLong());
            assertThat(m.get("d_count").asLong())
                    .isEqualTo(m.get("count").asLong()
                            - (p == null ? 0 : p.get("count").asLong()));
        }

        // highest version wins reproduces the independent oracle exactly
        Map<String, Oracle.Values> expected = Oracle.expected(gen, n, cfg.windowSpecs(), tooLate(kafka, cfg));
        Map<String, JsonNode> view = apply(msgs);
        assertThat(Oracle.diff(expected, values(view), 20)).isEmpty();
        assertThat(view).hasSize(expected.size());
        assertThat(view.values())
                .allSatisfy(m -> assertThat(m.get("kind").asText()).isNotEqualTo("early"));

        // one hour's channel: that hour's windows only, including late corrections sent after the next hour began
        List<DeltaSubscriber.Received> onChannel =
                got.stream().filter(r -> r.channel().equals(hour23)).toList();
        assertThat(hourOnly)
                .extracting(DeltaSubscriber.Received::message)
                .containsExactlyElementsOf(onChannel.stream()
                        .map(DeltaSubscriber.Received::message)
                        .toList());
        assertThat(hourOnly)
                .extracting(r -> r.json().get("window_start").asLong())
                .allSatisfy(s -> assertThat(s).isBetween(H0 - 3_600_000L, H0 - 1));
        int firstOfNextHour = indexOf(got, "rollcast:tenant-0000:tumbling-1m:2026010100");
        assertThat(firstOfNextHour).isNotNegative();
        long lateAfter = 0;
        for (int i = firstOfNextHour; i < got.size(); i++) {
            if (got.get(i).channel().equals(hour23)
                    && msgs.get(i).get("kind").asText().equals("late")) lateAfter++;
        }
        assertThat(lateAfter)
                .as("late corrections of hour 23 published after hour 00 began")
                .isPositive();

        // every channel's recovery stream holds its messages, in publish order; XRANGE from a stream_id resumes there
        Map<String, List<DeltaSubscriber.Received>> byChannel = new LinkedHashMap<>();
        for (var r : got)
            byChannel.computeIfAbsent(r.channel(), c -> new ArrayList<>()).add(r);
        try (Jedis j = new Jedis(redis.uri())) {
            for (var e : byChannel.entrySet()) {
                List<StreamEntry> entries = j.xrange(Channels.stream(e.getKey()), (StreamEntryID) null, null);
                List<JsonNode> received = e.getValue().stream()
                        .map(DeltaSubscriber.Received::json)
                        .toList();
                assertThat(entries)
                        .extracting(x -> x.getID().toString())
                        .containsExactlyElementsOf(received.stream()
                                .map(m -> m.get("stream_id").asText())
                                .toList());
                for (int i = 0; i < entries.size(); i++) {
                    var stored = (com.fasterxml.jackson.databind.node.ObjectNode)
                            received.get(i).deepCopy();
                    stored.remove("stream_id");
                    assertThat(DeltaSubscriber.parse(entries.get(i).getFields().get(Channels.STREAM_FIELD)))
                            .isEqualTo(stored);
                }
            }
            List<JsonNode> onHour =
                    onChannel.stream().map(DeltaSubscriber.Received::json).toList();
            int mid = onHour.size() / 2;
            List<StreamEntry> resumed = j.xrange(
                    Channels.stream(hour23),
                    new StreamEntryID(onHour.get(mid).get("stream_id").asText()),
                    null);
            assertThat(resumed).hasSize(onHour.size() - mid);
        }
    }

    private static int indexOf(List<DeltaSubscriber.Received> got, String channel) {
        for (int i = 0; i < got.size(); i++) if (got.get(i).channel().equals(channel)) return i;
        return -1;
    }

    @Test
    void aThirtySecondRedisOutageNeitherFailsNorStallsTheJobAndPublishingResumes(RedisServer redis, KafkaServer kafka)
            throws Exception {
        try (Jedis j = new Jedis(redis.uri())) {
            j.flushAll();
        }
        final int n = 20_000; // 400 events/s: 50 s of wall time, 6.7 min of event time
        EventGenerator gen = new EventGenerator(events(12, H0));
        JobConfig cfg = config(kafka, redis)
                .with("kafka.rows-topic", kafka.freshTopic("rows", 2))
                .with("checkpoint.interval", "1s");
        long downAt, upAt;
        List<DeltaSubscriber.Received> got;
        try (DeltaSubscriber all = DeltaSubscriber.pattern(redis.uri(), "rollcast:*")) {
            JobClient client =
                    job(cfg, gen, n, RateLimiterStrategy.perSecond(400)).executeAsync("redis-outage-it");
            all.awaitCount(200, Duration.ofSeconds(60));
            redis.stop();
            downAt = System.currentTimeMillis();
            try {
                Thread.sleep(30_000);
            } finally {
                redis.start();
                upAt = System.currentTimeMillis();
            }
            client.getJobExecutionResult().get(3, TimeUnit.MINUTES); // finishes: the outage never failed the job
            all.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(20));
            got = all.messages();
            assertThat(all.subscriptions()).isGreaterThanOrEqualTo(2);
        }

        // the changelog (what the stores get) is complete and kept flowing during the outage
        List<WindowRow> rows = new ArrayList<>();
        for (var r : RollupJobKafkaIT.readAll(kafka, cfg.rowsTopic())) {
            JsonNode m = DeltaSubscriber.parse(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
            rows.add(new WindowRow(
                    m.get("tenant_id").asText(),
                    m.get("event_type").asText(),
                    m.get("spec").asText(),
                    m.get("window_start").asLong(),
                    m.get("window_end").asLong(),
                    m.get("count").asLong(),
                    m.get("sum").asDouble(),
                    m.get("min").asDouble(),
                    m.get("max").asDouble(),
                    Kind.valueOf(m.get("kind").asText().toUpperCase()),
                    m.get("version").asLong(),
                    m.get("emitted_at").asLong()));
        }
        Map<String, WindowRow> latest = Oracle.latest(rows);
        Map<String, Oracle.Values> expected = Oracle.expected(gen, n, cfg.windowSpecs(), tooLate(kafka, cfg));
        assertThat(Oracle.diff(expected, Oracle.values(latest), 20)).isEmpty();
        long duringOutage = rows.stream()
                .filter(r -> r.emittedAt() > downAt + 2_000 && r.emittedAt() < upAt - 2_000)
                .count();
        assertThat(duringOutage).as("rows emitted while Redis was down").isGreaterThan(100);

        // publishing resumed: messages emitted after the restart reached the resubscribed subscriber
        assertThat(got.stream()
                        .filter(r ->
                                r.epoch() >= 2 && r.json().get("emitted_at").asLong() > upAt))
                .hasSizeGreaterThan(100);

        // every window changed while Redis was down or after converges on Redis: subscriber and recovery streams
        List<JsonNode> seen =
                new ArrayList<>(got.stream().map(DeltaSubscriber.Received::json).toList());
        try (Jedis j = new Jedis(redis.uri())) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(
                        cursor,
                        new ScanParams().match(Channels.STREAM_PREFIX + "*").count(500));
                for (String stream : page.getResult()) {
                    for (StreamEntry e : j.xrange(stream, (StreamEntryID) null, null)) {
                        seen.add(DeltaSubscriber.parse(e.getFields().get(Channels.STREAM_FIELD)));
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        Map<String, JsonNode> view = apply(seen);
        List<WindowRow> changedSinceDown =
                latest.values().stream().filter(r -> r.emittedAt() >= downAt).toList();
        assertThat(changedSinceDown).hasSizeGreaterThan(50);
        assertThat(changedSinceDown).allSatisfy(r -> {
            JsonNode m = view.get(Oracle.key(r.tenantId(), r.eventType(), r.spec(), r.windowStart()));
            assertThat(m).as("%s", r).isNotNull();
            assertThat(m.get("version").asLong()).as("%s", r).isEqualTo(r.version());
        });
        System.out.printf(
                "redis outage IT: %d rows (%d during the outage), %d messages (%d after the restart), %d windows checked%n",
                rows.size(),
                duringOutage,
                got.size(),
                got.stream().filter(r -> r.epoch() >= 2).count(),
                changedSinceDown.size());
    }
}
