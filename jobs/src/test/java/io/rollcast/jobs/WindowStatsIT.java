package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import io.rollcast.model.Keys;
import io.rollcast.model.Kind;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import io.rollcast.model.WindowStats;
import io.rollcast.operators.DistinctSketch;
import io.rollcast.operators.QuantileSketch;
import io.rollcast.store.ClickHouseRollupQuery;
import io.rollcast.store.PostgresRollupQuery;
import io.rollcast.store.RollupQuery;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Quantiles, distinct counts and anomaly scores through the whole job: events with a payload user
 * id → Kafka → the topology on a MiniCluster → Postgres, ClickHouse and Redis. An oracle computed
 * here from the raw events (sorting for exact quantiles, a HashSet for exact distinct counts, the
 * planted spikes and drops) judges every window in both stores; the same events replayed in another
 * order give byte-identical rows; stored sketches merge into longer windows.
 */
@ExtendWith(RealServers.class)
@Timeout(600)
class WindowStatsIT {
    static final long START = 1_767_225_600_000L; // 2026-01-01T00:00Z
    static final long MIN = 60_000L;
    static final int MINUTES = 90;
    static final double[] LEVELS = {0.5, 0.9, 0.99};
    static final String SPIKY = "ws-spiky";
    static final Set<Integer> SPIKES = Set.of(25, 40, 60, 75);
    static final Set<Integer> DROPS = Set.of(32, 50, 68);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** One raw event as the oracle sees it; {@code user} null when the payload has none. */
    record Raw(String id, String tenant, long ts, double value, String user) {
        byte[] json() {
            String payload = user == null
                    ? "{\"path\":\"/x\"}"
                    : user.startsWith("u")
                            ? "{\"user_id\":\"" + user + "\",\"path\":\"/x\"}"
                            : "{\"user_id\":" + user + "}";
            return ("{\"event_id\":\"" + id + "\",\"tenant_id\":\"" + tenant
                            + "\",\"event_type\":\"req\",\"timestamp\":" + ts + ",\"value\":" + value
                            + ",\"schema_version\":1,\"payload\":" + payload + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    static List<Raw> events() {
        SplittableRandom r = new SplittableRandom(2026);
        List<Raw> out = new ArrayList<>();
        int seq = 0;
        for (String tenant : List.of("ws-a", "ws-b", SPIKY)) {
            for (int m = 0; m < MINUTES; m++) {
                int n = !tenant.equals(SPIKY)
                        ? 150 + r.nextInt(250)
                        : SPIKES.contains(m) ? 300 : DROPS.contains(m) ? 20 : 90 + r.nextInt(21);
                for (int i = 0; i < n; i++) {
                    long ts = START + m * MIN + r.nextLong(MIN);
                    double value = Math.round(Math.exp(Math.log(80) + 0.9 * gaussian(r)) * 100) / 100.0;
                    int u = (int) Math.floor(Math.pow(r.nextDouble(), 2) * 3_000); // skewed: some users are busy
                    String user = r.nextInt(50) == 0 ? null : r.nextInt(10) == 0 ? Integer.toString(u) : "u" + u;
                    out.add(new Raw("e" + (seq++), tenant, ts, value, user));
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.ts, b.ts));
        return out;
    }

    /**
     * The same events in another order: shuffled within blocks of 2 minutes, and every 25th event
     * held back by 1 500 records (~2 minutes of the stream), past its window's end but within the
     * 5 min lateness, so those windows get late rows after their finals.
     */
    static List<Raw> reordered(List<Raw> events, long seed) {
        Map<Long, List<Raw>> blocks = new TreeMap<>();
        for (Raw e : events)
            blocks.computeIfAbsent(Math.floorDiv(e.ts - START, 2 * MIN), k -> new ArrayList<>())
                    .add(e);
        List<Raw> shuffled = new ArrayList<>();
        Random rnd = new Random(seed);
        for (List<Raw> b : blocks.values()) {
            Collections.shuffle(b, rnd);
            shuffled.addAll(b);
        }
        List<Raw> out = new ArrayList<>();
        TreeMap<Integer, List<Raw>> held = new TreeMap<>();
        for (int i = 0; i < shuffled.size(); i++) {
            if (i % 25 == 0)
                held.computeIfAbsent(i + 1_500, k -> new ArrayList<>()).add(shuffled.get(i));
            else out.add(shuffled.get(i));
            List<Raw> due = held.remove(i);
            if (due != null) out.addAll(due);
        }
        held.values().forEach(out::addAll);
        return out;
    }

    @Test
    void quantilesDistinctCountsAndAnomalyFlagsOfEveryWindowMatchTheOracleInBothStoresAndRedis(
            KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, RedisServer redis) throws Exception {
        List<Raw> events = events();
        JobConfig cfg = run(kafka, pg, ch, events, redis);
        List<WindowSpec> specs = cfg.windowSpecs();
        Map<String, Expected> oracle = oracle(events, specs);

        Map<String, WindowRow> postgres = read(postgresQuery(cfg), specs);
        Map<String, WindowRow> clickhouse = read(clickhouseQuery(cfg), specs);
        assertThat(postgres.keySet()).isEqualTo(oracle.keySet());
        assertThat(clickhouse.keySet()).isEqualTo(oracle.keySet());

        double worstQuantile = 0, worstDistinct = 0;
        int beyondTwoPercent = 0;
        for (var e : oracle.entrySet()) {
            Expected x = e.getValue();
            for (Map<String, WindowRow> store : List.of(postgres, clickhouse)) {
                WindowRow row = store.get(e.getKey());
                assertThat(row.count()).as(e.getKey()).isEqualTo(x.count);
                WindowStats s = row.stats();
                assertThat(s.quantileLevels()).isEqualTo(LEVELS);
                for (int i = 0; i < LEVELS.length; i++) {
                    double rel = Math.abs(s.quantiles()[i] - x.quantiles[i]) / Math.abs(x.quantiles[i]);
                    worstQuantile = Math.max(worstQuantile, rel);
                    assertThat(rel).as("%s q%s", e.getKey(), LEVELS[i]).isLessThanOrEqualTo(0.01);
                }
                // documented bounds: sparse (<= 1 024 values) within 0.2 % or 1; dense: 3 standard errors (3.45 %)
                double rel = Math.abs(s.distinct() - x.distinct) / (double) x.distinct;
                worstDistinct = Math.max(worstDistinct, rel);
                if (rel > 0.02) beyondTwoPercent++;
                assertThat(Math.abs(s.distinct() - x.distinct))
                        .as("%s distinct %d vs exact %d", e.getKey(), s.distinct(), x.distinct)
                        .isLessThanOrEqualTo(
                                x.distinct <= DistinctSketch.SPARSE_MAX
                                        ? Math.max(1, (long) (0.002 * x.distinct))
                                        : (long) (0.0345 * x.distinct));
                // the stored sketches are the row's: a reader decodes them to the same answers
                assertThat(DistinctSketch.deserialize(s.distinctSketch()).estimate())
                        .isEqualTo(s.distinct());
                assertThat(decode(s.quantileSketch()).getValuesAtQuantiles(LEVELS))
                        .isEqualTo(s.quantiles());
            }
            // both stores hold the same bytes
            assertThat(clickhouse.get(e.getKey()).stats())
                    .isEqualTo(postgres.get(e.getKey()).stats());
        }

        // a query merges stored windows: 60 tumbling minutes = the sliding hour, sketch for sketch
        for (String tenant : List.of("ws-a", "ws-b")) {
            long hour = START + 10 * MIN;
            DistinctSketch merged = new DistinctSketch();
            DDSketch mergedQ = null;
            for (int m = 0; m < 60; m++) {
                WindowStats t = postgres.get(Keys.windowKey(tenant, "req", "tumbling-1m", hour + m * MIN))
                        .stats();
                merged.merge(DistinctSketch.deserialize(t.distinctSketch()));
                DDSketch q = decode(t.quantileSketch());
                if (mergedQ == null) mergedQ = q;
                else mergedQ.mergeWith(q);
            }
            WindowStats hourRow = postgres.get(Keys.windowKey(tenant, "req", "sliding-1h-1m", hour))
                    .stats();
            assertThat(merged.serialize()).isEqualTo(hourRow.distinctSketch());
            assertThat(mergedQ.getValuesAtQuantiles(LEVELS)).isEqualTo(hourRow.quantiles());
        }

        // anomaly flags: exactly the planted minutes of the spiky tenant, in both stores and in Redis
        Map<String, WindowRow> deltas = lastDeltas(redis);
        Set<Integer> planted = new TreeSet<>(SPIKES);
        planted.addAll(DROPS);
        for (Map<String, WindowRow> source : List.of(postgres, clickhouse, deltas)) {
            Set<Integer> flagged = new TreeSet<>();
            int scored = 0;
            for (WindowRow row : source.values()) {
                if (!row.tenantId().equals(SPIKY) || !row.spec().equals("tumbling-1m")) continue;
                WindowStats.Anomaly a = row.stats().anomaly();
                if (a == null) continue;
                scored++;
                if (a.flagged()) flagged.add((int) ((row.windowStart() - START) / MIN));
            }
            assertThat(scored).as("minutes with a score").isGreaterThan(MINUTES - 15);
            assertThat(flagged).isEqualTo(planted);
        }
        for (int m : planted) {
            WindowRow row = postgres.get(Keys.windowKey(SPIKY, "req", "tumbling-1m", START + m * MIN));
            WindowStats.Anomaly a = row.stats().anomaly();
            assertThat(a.baseline()).isBetween(90.0, 110.0);
            assertThat(Math.signum(a.score())).isEqualTo(SPIKES.contains(m) ? 1.0 : -1.0);
            System.out.printf(
                    "planted minute %d: count %d, score %.2f, baseline %.1f%n",
                    m, row.count(), a.score(), a.baseline());
        }
        // Redis carries what the stores hold (its last delta per window; no sketches in deltas)
        for (var e : postgres.entrySet()) {
            WindowRow d = deltas.get(e.getKey());
            assertThat(d).as("delta of %s", e.getKey()).isNotNull();
            WindowStats s = e.getValue().stats();
            assertThat(d.count()).isEqualTo(e.getValue().count());
            assertThat(d.stats().quantiles()).isEqualTo(s.quantiles());
            assertThat(d.stats().distinct()).isEqualTo(s.distinct());
            assertThat(d.stats().anomaly()).isEqualTo(s.anomaly());
        }
        double maxScoreNormal = postgres.values().stream()
                .filter(r -> r.tenantId().equals(SPIKY)
                        && r.spec().equals("tumbling-1m")
                        && r.stats().anomaly() != null)
                .filter(r -> !planted.contains((int) ((r.windowStart() - START) / MIN)))
                .mapToDouble(r -> Math.abs(r.stats().anomaly().score()))
                .max()
                .orElse(0);
        System.out.printf(
                "window stats IT: %d events, %d windows; worst quantile error %.5f, worst distinct error %.5f"
                        + " (%d of %d store rows beyond 2 %%); largest |score| of a normal minute %.2f%n",
                events.size(),
                oracle.size(),
                worstQuantile,
                worstDistinct,
                beyondTwoPercent,
                2 * oracle.size(),
                maxScoreNormal);

        // the same events in another order (disorder, and held-back events: late rows after finals)
        JobConfig replay = run(kafka, pg, ch, reordered(events, 7), null);
        Map<String, WindowRow> replayed = read(postgresQuery(replay), specs);
        Map<String, WindowRow> replayedCh = read(clickhouseQuery(replay), specs);
        assertThat(replayed.keySet()).isEqualTo(postgres.keySet());
        int late = 0;
        for (var e : postgres.entrySet()) {
            assertThat(content(replayed.get(e.getKey()))).as(e.getKey()).isEqualTo(content(e.getValue()));
            assertThat(content(replayedCh.get(e.getKey()))).as(e.getKey()).isEqualTo(content(e.getValue()));
            if (replayed.get(e.getKey()).kind() == Kind.LATE) late++;
        }
        System.out.printf(
                "shuffled replay: %d windows byte-identical (sketches included), %d of them late rows%n",
                postgres.size(), late);
    }

    /** The row's JSON without what replays do not reproduce: {@code kind} and {@code emitted_at}. */
    static String content(WindowRow r) {
        WindowRow c = new WindowRow(
                r.tenantId(),
                r.eventType(),
                r.spec(),
                r.windowStart(),
                r.windowEnd(),
                r.count(),
                r.sum(),
                r.min(),
                r.max(),
                Kind.FINAL,
                r.version(),
                0,
                r.stats());
        return new String(RowCodec.rowJson(c), StandardCharsets.UTF_8);
    }

    static DDSketch decode(byte[] bytes) throws Exception {
        return DDSketch.decode(
                ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(QuantileSketch.MAX_BINS));
    }

    // ------------------------------------------------------------------ the oracle

    record Expected(long count, double[] quantiles, long distinct) {}

    static Map<String, Expected> oracle(List<Raw> events, List<WindowSpec> specs) {
        Map<String, List<Raw>> byWindow = new TreeMap<>();
        for (Raw e : events) {
            for (WindowSpec s : specs) {
                long last = Math.floorDiv(e.ts, s.slideMs()) * s.slideMs();
                for (long start = last; start > e.ts - s.sizeMs(); start -= s.slideMs()) {
                    byWindow.computeIfAbsent(Keys.windowKey(e.tenant, "req", s.id(), start), k -> new ArrayList<>())
                            .add(e);
                }
            }
        }
        Map<String, Expected> out = new TreeMap<>();
        byWindow.forEach((k, list) -> {
            double[] v = list.stream().mapToDouble(Raw::value).sorted().toArray();
            double[] q = new double[LEVELS.length];
            for (int i = 0; i < LEVELS.length; i++) q[i] = v[(int) Math.floor(LEVELS[i] * (v.length - 1))];
            Set<String> users = new HashSet<>();
            for (Raw e : list) if (e.user != null) users.add(e.user);
            out.put(k, new Expected(list.size(), q, users.size()));
        });
        return out;
    }

    // ------------------------------------------------------------------ runs and readers

    /** Produces {@code events} to a fresh topic and runs the job over it (bounded) into fresh store databases. */
    static JobConfig run(KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, List<Raw> events, RedisServer redis)
            throws Exception {
        String in = kafka.freshTopic("stats-events", 4);
        try (var producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
            for (Raw e : events) {
                sent.add(producer.send(new ProducerRecord<>(in, e.tenant.getBytes(StandardCharsets.UTF_8), e.json())));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) f.get(); // a lost input record fails here, not as a wrong window
        }
        JobConfig cfg = StoreRuns.config(
                        "both", pg.freshDatabase("stats"), ch.httpUrl(), ch.freshDatabase("stats"), "1s")
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.topic", in)
                .with("kafka.dlq-topic", kafka.freshTopic("stats-dlq", 1))
                .with("kafka.late-topic", kafka.freshTopic("stats-late", 1))
                .with("kafka.starting-offsets", "earliest")
                .with("kafka.bounded", "true")
                .with("windows.dedup-horizon", "0s")
                .with("windows.quantiles", "0.5,0.9,0.99")
                .with("windows.distinct", "payload.user_id")
                .with("windows.anomaly.history", "10")
                .with("windows.anomaly.threshold", "5");
        if (redis != null) {
            cfg = cfg.with("redis.enabled", "true")
                    .with("redis.uri", redis.uri().toString())
                    .with("redis.stream-max-len", "1000000")
                    .with("redis.stream-ttl", "3650d"); // the fixture's hours are long past: keep their streams
        }
        StoreSinks.migrate(cfg, true, true);
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        RollupJob.Outputs out = RollupJob.operators(
                env.fromSource(KafkaIo.source(cfg), RollupJob.watermarks(cfg), "kafka-events")
                        .uid("kafka-events"),
                cfg);
        RollupJob.sinks(out, cfg);
        env.execute("window-stats-it");
        return cfg;
    }

    static RollupQuery postgresQuery(JobConfig cfg) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(cfg.get(JobConfig.PG_URL));
        return new PostgresRollupQuery(ds, cfg.postgresTable());
    }

    static RollupQuery clickhouseQuery(JobConfig cfg) {
        return new ClickHouseRollupQuery(cfg.get(JobConfig.CH_URL), cfg.clickhouseDatabase(), "default", "");
    }

    static Map<String, WindowRow> read(RollupQuery q, List<WindowSpec> specs) {
        Map<String, WindowRow> out = new TreeMap<>();
        for (String tenant : List.of("ws-a", "ws-b", SPIKY)) {
            for (WindowSpec s : specs) {
                for (WindowRow r :
                        q.windows(tenant, s.id(), Optional.empty(), START - 2 * 3_600_000L, START + 4 * 3_600_000L)) {
                    out.put(r.windowKey(), r);
                }
            }
        }
        return out;
    }

    /** The highest-version delta of every window of this test's tenants, from the Redis recovery streams. */
    static Map<String, WindowRow> lastDeltas(RedisServer redis) {
        Map<String, WindowRow> out = new TreeMap<>();
        try (Jedis j = new Jedis(redis.uri())) {
            for (String key : j.keys("rollcast:stream:ws-*")) {
                for (StreamEntry e : j.xrange(key, "-", "+")) {
                    WindowRow r = RowCodec.readRow(e.getFields().get("m").getBytes(StandardCharsets.UTF_8));
                    out.merge(r.windowKey(), r, (a, b) -> b.version() > a.version() ? b : a);
                }
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static {
        Arrays.sort(LEVELS);
    }
}
