package io.rollcast.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollcast.model.Channels;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowDelta;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/** The delta writer and publisher against a real Redis, watched by a real subscriber. */
@ExtendWith(RealServers.class)
@Timeout(120)
class RedisDeltaSinkIT {
    static final long H10 = 1_767_225_600_000L + 10 * 3_600_000L; // 2026-01-01T10:00Z
    static final long MIN = 60_000L;

    private final RedisServer redis;
    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final Map<String, Counter> counters = new HashMap<>();
    private DeltaSubscriber all;

    RedisDeltaSinkIT(RedisServer redis) {
        this.redis = redis;
    }

    @BeforeEach
    void subscribe() throws Exception {
        time.setCurrentTime(0);
        try (Jedis j = new Jedis(redis.uri())) {
            j.flushAll();
        }
        all = DeltaSubscriber.pattern(redis.uri(), "rollcast:*");
    }

    @AfterEach
    void unsubscribe() throws Exception {
        all.close();
    }

    private RedisDeltaWriter writer(RedisSettings s) {
        SinkWriterMetricGroup metrics =
                InternalSinkWriterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());
        return new RedisDeltaWriter(s, time, new CountingMetrics(metrics, counters).group());
    }

    private RedisSettings settings() {
        return RedisSettings.of(redis.uri().toString());
    }

    /** The {@code n}-th delta of a window: count n, each event of value n. */
    static WindowDelta delta(String tenant, String spec, long start, long size, int n, Kind kind) {
        long prevCount = n - 1;
        double sum = n * (n + 1) / 2.0, prevSum = prevCount * n / 2.0;
        long version = 2L * n + (kind == Kind.EARLY ? 0 : 1);
        long prevVersion = n == 1 ? 0 : 2L * prevCount;
        return new WindowDelta(
                tenant,
                "click",
                spec,
                start,
                start + size,
                kind,
                version,
                prevVersion,
                n,
                sum,
                1,
                n,
                1,
                sum - prevSum,
                n == 1 ? 1 : 0,
                1,
                1_000L + n);
    }

    static List<WindowDelta> history(String tenant, long start, int n) {
        List<WindowDelta> out = new ArrayList<>();
        for (int i = 1; i <= n; i++)
            out.add(delta(tenant, "tumbling-1m", start, MIN, i, i == n ? Kind.FINAL : Kind.EARLY));
        return out;
    }

    private static void write(RedisDeltaWriter w, List<WindowDelta> deltas) {
        for (WindowDelta d : deltas) w.write(d, null);
    }

    @Test
    void publishesEachDeltaToTheChannelOfItsWindowsHourWithItsStreamEntryId() throws Exception {
        List<WindowDelta> in = List.of(
                delta("acme", "tumbling-1m", H10 - MIN, MIN, 1, Kind.FINAL),
                delta("acme", "tumbling-1m", H10, MIN, 1, Kind.EARLY),
                delta("acme", "sliding-1h-1m", H10 - 59 * MIN, 60 * MIN, 1, Kind.EARLY),
                delta("beta", "tumbling-1m", H10, MIN, 1, Kind.EARLY));
        try (DeltaSubscriber hour9 = DeltaSubscriber.channel(redis.uri(), "rollcast:acme:tumbling-1m:2026010109");
                RedisDeltaWriter w = writer(settings().withStream(1000, 600))) {
            write(w, in);
            w.flush(false); // a checkpoint publishes everything before it
            all.awaitCount(4, Duration.ofSeconds(5));
            hour9.awaitCount(1, Duration.ofSeconds(5));
            Thread.sleep(100);

            assertThat(all.messages())
                    .extracting(DeltaSubscriber.Received::channel)
                    .containsExactly(
                            "rollcast:acme:tumbling-1m:2026010109", "rollcast:acme:tumbling-1m:2026010110",
                            "rollcast:acme:sliding-1h-1m:2026010109", "rollcast:beta:tumbling-1m:2026010110");
            assertThat(hour9.messages())
                    .singleElement()
                    .satisfies(r ->
                            assertThat(r.json().get("window_start").asLong()).isEqualTo(H10 - MIN));

            try (Jedis j = new Jedis(redis.uri())) {
                for (int i = 0; i < in.size(); i++) {
                    DeltaSubscriber.Received r = all.messages().get(i);
                    JsonNode m = r.json();
                    WindowDelta d = in.get(i);
                    assertThat(fieldNames(m))
                            .containsExactly(
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
                    assertThat(m.get("tenant_id").asText()).isEqualTo(d.tenantId());
                    assertThat(m.get("kind").asText()).isEqualTo(d.kind().code());
                    assertThat(m.get("version").asLong()).isEqualTo(d.version());
                    assertThat(m.get("window_end").asLong()).isEqualTo(d.windowEnd());

                    String stream = Channels.stream(r.channel());
                    List<StreamEntry> entries = j.xrange(stream, (StreamEntryID) null, null);
                    assertThat(entries).singleElement().satisfies(e -> {
                        assertThat(e.getID().toString())
                                .isEqualTo(m.get("stream_id").asText());
                        String stored = e.getFields().get(Channels.STREAM_FIELD);
                        assertThat(DeltaSubscriber.parse(stored)).isEqualTo(withoutStreamId(m));
                    });
                    assertThat(j.ttl(stream)).isBetween(1L, 600L);
                }
            }
        }
    }

    @Test
    void xrangeFromAMessagesStreamIdReturnsItAndEveryLaterMessageOfItsChannel() throws Exception {
        try (RedisDeltaWriter w = writer(settings().withBatching(10, 5))) {
            write(w, history("acme", H10, 50));
            w.flush(false);
            all.awaitCount(50, Duration.ofSeconds(5));
        }
        List<DeltaSubscriber.Received> got = all.messages();
        assertThat(got).hasSize(50);
        DeltaSubscriber.Received pick = got.get(20);
        String from = pick.json().get("stream_id").asText();
        try (Jedis j = new Jedis(redis.uri())) {
            List<StreamEntry> later = j.xrange(Channels.stream(pick.channel()), new StreamEntryID(from), null);
            assertThat(later)
                    .extracting(e -> e.getID().toString())
                    .containsExactlyElementsOf(got.subList(20, 50).stream()
                            .map(r -> r.json().get("stream_id").asText())
                            .toList());
            assertThat(later)
                    .extracting(e -> DeltaSubscriber.parse(e.getFields().get("m"))
                            .get("version")
                            .asLong())
                    .containsExactlyElementsOf(got.subList(20, 50).stream()
                            .map(r -> r.json().get("version").asLong())
                            .toList());
        }
    }

    @Test
    void recoveryStreamsAreCappedApproximatelyAndExpire() throws Exception {
        try (RedisDeltaWriter w = writer(settings().withStream(100, 30))) {
            write(w, history("acme", H10, 2_000));
            w.flush(false);
        }
        try (Jedis j = new Jedis(redis.uri())) {
            String stream = "rollcast:stream:acme:tumbling-1m:2026010110";
            assertThat(j.xlen(stream)).isBetween(100L, 300L); // MAXLEN ~ trims whole nodes of 100 entries
            assertThat(j.ttl(stream)).isBetween(1L, 30L);
        }
    }

    @Test
    void liveModePublishesOnAFullBatchOnTheFlushIntervalAndOnCheckpoints() throws Exception {
        try (RedisDeltaWriter w = writer(settings().withBatching(3, 50))) {
            Iterator<WindowDelta> in = history("acme", H10, 9).iterator();
            w.write(in.next(), null);
            w.write(in.next(), null);
            Thread.sleep(200);
            assertThat(all.count()).isZero();
            w.write(in.next(), null); // batch full
            all.awaitCount(3, Duration.ofSeconds(5));
            assertThat(all.count()).isEqualTo(3);

            w.write(in.next(), null);
            time.setCurrentTime(49);
            Thread.sleep(200);
            assertThat(all.count()).isEqualTo(3);
            time.setCurrentTime(50); // the flush interval passed
            all.awaitCount(4, Duration.ofSeconds(5));
            assertThat(all.count()).isEqualTo(4);

            w.write(in.next(), null);
            w.flush(false); // checkpoint
            all.awaitCount(5, Duration.ofSeconds(5));
            assertThat(all.count()).isEqualTo(5);
        }
    }

    @Test
    void theOrderPerWindowIsKeptAcrossBatches() throws Exception {
        List<List<WindowDelta>> windows = new ArrayList<>();
        for (int k = 0; k < 20; k++) windows.add(history("t" + (k % 4), H10 + (k / 4) * MIN, 250));
        try (RedisDeltaWriter w = writer(settings().withBatching(7, 1))) {
            for (int i = 0; i < 250; i++) {
                for (List<WindowDelta> h : windows) w.write(h.get(i), null);
                if (i % 50 == 0) time.setCurrentTime(i);
            }
            w.flush(false);
        }
        all.awaitCount(5_000, Duration.ofSeconds(10));
        Map<String, List<Long>> versions = all.messages().stream()
                .map(DeltaSubscriber.Received::json)
                .collect(Collectors.groupingBy(
                        m -> m.get("tenant_id").asText() + "|"
                                + m.get("window_start").asLong(),
                        Collectors.mapping(m -> m.get("version").asLong(), Collectors.toList())));
        assertThat(versions).hasSize(20);
        List<Long> expected =
                history("x", 0, 250).stream().map(WindowDelta::version).toList();
        assertThat(versions.values()).allSatisfy(v -> assertThat(v).containsExactlyElementsOf(expected));
    }

    @Test
    void coalesceModePublishesTheLatestDeltaPerWindowWithTheChangesSummed() throws Exception {
        RedisSettings s = settings().withMode(DeltaMode.COALESCE).withCoalesceInterval(1_000);
        try (RedisDeltaWriter w = writer(s)) {
            List<WindowDelta> a = history("acme", H10, 13);
            List<WindowDelta> b = history("acme", H10 + MIN, 5);
            write(w, a.subList(0, 10));
            write(w, b);
            time.setCurrentTime(999);
            Thread.sleep(200);
            assertThat(all.count()).isZero();
            time.setCurrentTime(1_000);
            all.awaitCount(2, Duration.ofSeconds(5));
            Thread.sleep(100);
            List<JsonNode> got =
                    all.messages().stream().map(DeltaSubscriber.Received::json).toList();
            assertThat(got).hasSize(2);
            JsonNode ma = got.get(0);
            assertThat(ma.get("version").asLong()).isEqualTo(a.get(9).version());
            assertThat(ma.get("prev_version").asLong()).isZero();
            assertThat(ma.get("count").asLong()).isEqualTo(10);
            assertThat(ma.get("d_count").asLong()).isEqualTo(10);
            assertThat(ma.get("d_sum").asDouble()).isEqualTo(55.0);
            assertThat(got.get(1).get("kind").asText()).isEqualTo("final");
            assertThat(counters.get("deltasCoalesced").getCount()).isEqualTo(13);

            write(w, a.subList(10, 13));
            w.flush(false); // a checkpoint publishes what is held
            all.awaitCount(3, Duration.ofSeconds(5));
            JsonNode last = all.messages().get(2).json();
            assertThat(last.get("prev_version").asLong()).isEqualTo(a.get(9).version());
            assertThat(last.get("d_count").asLong()).isEqualTo(3);
            assertThat(last.get("kind").asText()).isEqualTo("final");
        }
    }

    @Test
    void offModePublishesNothingAndNeverConnects() throws Exception {
        RedisSettings s = RedisSettings.of("redis://127.0.0.1:1").withMode(DeltaMode.OFF); // nothing listens there
        try (RedisDeltaWriter w = writer(s)) {
            write(w, history("acme", H10, 100));
            w.flush(false);
            w.flush(true);
        }
        assertThat(counters.get("deltasSuppressed").getCount()).isEqualTo(100);
        assertThat(counters.get("redisErrors").getCount()).isZero();
    }

    @Test
    void aReplayOfOldHoursKeepsItsStreamsForASecondWhileLiveAndLateWindowsKeepTheWholeTtl() throws Exception {
        long now = System.currentTimeMillis();
        long minute = now - now % MIN;
        try (DeltaPublisher p = new DeltaPublisher(settings().withStream(1000, 600))) { // lateness 5 min
            p.publish(history("replayed", H10, 3), now); // an hour of January, replayed today
            p.publish(history("live", minute, 3), now); // the open window
            p.publish(history("late", minute - 5 * MIN, 3), now); // ended 4 min ago: within the lateness
        }
        String replayed = Channels.stream(Channels.channel("replayed", "tumbling-1m", H10 / Channels.HOUR_MS));
        String live = Channels.stream(Channels.channel("live", "tumbling-1m", minute / Channels.HOUR_MS));
        String late = Channels.stream(Channels.channel("late", "tumbling-1m", (minute - 5 * MIN) / Channels.HOUR_MS));
        try (Jedis j = new Jedis(redis.uri())) {
            assertThat(j.xlen(replayed)).isEqualTo(3);
            assertThat(j.pttl(replayed)).isBetween(1L, 1_000L);
            assertThat(j.ttl(live)).isBetween(590L, 600L);
            assertThat(j.ttl(late)).isBetween(590L, 600L);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (j.exists(replayed) && System.nanoTime() < deadline) Thread.sleep(100);
            assertThat(j.exists(replayed))
                    .as("the replayed hour's stream expired")
                    .isFalse();
            assertThat(j.xlen(live)).isEqualTo(3);
        }
    }

    @Test
    void aForgottenScriptIsLoadedAgainWithoutLosingOrReorderingMessages() throws Exception {
        try (DeltaPublisher p = new DeltaPublisher(settings())) {
            List<WindowDelta> h = history("acme", H10, 30);
            p.publish(h.subList(0, 10), H10);
            try (Jedis j = new Jedis(redis.uri())) {
                j.scriptFlush();
            }
            p.publish(h.subList(10, 20), H10);
            try (Jedis j = new Jedis(redis.uri())) {
                j.scriptFlush();
            }
            p.publishEach(h.subList(20, 30), H10);
        }
        all.awaitCount(30, Duration.ofSeconds(5));
        assertThat(all.messages())
                .extracting(r -> r.json().get("count").asLong())
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, 30).boxed().toList());
    }

    @Test
    void whileRedisIsDownWritesNeverBlockAndTheLatestDeltaPerWindowIsPublishedAfter() throws Exception {
        RedisSettings s =
                new RedisSettings(redis.uri().toString(), DeltaMode.LIVE, 50, 10, 1_000, 12, 1000, 600, 2, 300_000);
        List<List<WindowDelta>> windows = new ArrayList<>();
        for (int k = 0; k < 10; k++) windows.add(history("t" + k, H10, 6));
        try (RedisDeltaWriter w = writer(s)) {
            for (List<WindowDelta> h : windows) w.write(h.get(0), null);
            w.flush(false);
            all.awaitCount(10, Duration.ofSeconds(5));

            redis.stop();
            try {
                long t0 = System.nanoTime();
                for (int i = 1; i < 6; i++) {
                    for (List<WindowDelta> h : windows) w.write(h.get(i), null);
                    w.flush(false); // a checkpoint does not wait for Redis
                }
                for (int k = 0; k < 4; k++) w.write(delta("new" + k, "tumbling-1m", H10, MIN, 1, Kind.EARLY), null);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
                assertThat(counters.get("redisErrors").getCount()).isPositive();
            } finally {
                redis.start();
            }
            all.awaitSubscriptions(2, Duration.ofSeconds(10));
            time.setCurrentTime(10_000); // past the backoff
            all.awaitCount(22, Duration.ofSeconds(5)); // 10 before, 12 held
            Thread.sleep(100);
            assertThat(all.messages())
                    .as("no gap marker before the checkpoint after the drop")
                    .hasSize(22);
            w.flush(false); // that checkpoint: the stores have the rows now
            all.awaitCount(24, Duration.ofSeconds(5)); // and the 2 gap markers
            Thread.sleep(100);
        }
        Map<String, JsonNode> after = new HashMap<>();
        List<JsonNode> gaps = new ArrayList<>();
        all.messages().stream().filter(r -> r.epoch() == 2).forEach(r -> {
            if (r.json().get("kind").asText().equals("gap")) gaps.add(r.json());
            else after.put(r.json().get("tenant_id").asText(), r.json());
        });
        // 14 windows held, at most 12 kept: the two oldest were dropped
        assertThat(counters.get("deltasDropped").getCount()).isEqualTo(2);
        assertThat(after.keySet()).hasSize(12).doesNotContain("t0", "t1").contains("new0", "new3");
        // and their channels got a gap marker each, after the held deltas, in their recovery streams too
        assertThat(gaps).extracting(g -> g.get("tenant_id").asText()).containsExactly("t0", "t1");
        assertThat(counters.get("gapMarkers").getCount()).isEqualTo(2);
        for (JsonNode g : gaps) {
            assertThat(fieldNames(g))
                    .containsExactly("tenant_id", "spec", "window_start", "kind", "dropped", "emitted_at", "stream_id");
            assertThat(g.get("window_start").asLong()).isEqualTo(H10);
            assertThat(g.get("dropped").asLong()).isEqualTo(1);
        }
        try (Jedis j = new Jedis(redis.uri())) {
            var entries = j.xrange(
                    "rollcast:stream:t0:tumbling-1m:" + io.rollcast.model.Channels.hourName(H10 / 3_600_000L),
                    (redis.clients.jedis.StreamEntryID) null,
                    (redis.clients.jedis.StreamEntryID) null);
            assertThat(entries.get(entries.size() - 1).getFields().get("m")).contains("\"kind\":\"gap\"");
        }
        for (int k = 2; k < 10; k++) {
            JsonNode m = after.get("t" + k);
            assertThat(m.get("version").asLong()).isEqualTo(13); // the final of count 6
            assertThat(m.get("prev_version").asLong()).isEqualTo(2); // relative to what was published before
            assertThat(m.get("d_count").asLong()).isEqualTo(5);
            assertThat(m.get("d_sum").asDouble()).isEqualTo(20.0);
        }
        assertThat(after.get("new0").get("prev_version").asLong()).isZero();
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static JsonNode withoutStreamId(JsonNode m) {
        var copy = m.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("stream_id");
        return copy;
    }
}
