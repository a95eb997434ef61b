package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.model.WindowRow;
import io.rollcast.sinks.StoreRows;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Only the job's writes to Redis fail: Redis reaches {@code maxmemory} (policy noeviction) and refuses
 * the publish script, while the fan-out's subscription stays connected and sees nothing wrong. The job
 * holds the latest delta per window (at most {@code redis.max-buffered}, here 20, so most are dropped),
 * then publishes what it held and a gap marker per hour channel that lost deltas; the fan-out resyncs
 * those channels' clients from the store. Every SSE client ends holding exactly the store's rows.
 */
@ExtendWith(RealServers.class)
@Timeout(300)
class RedisWriteFailureIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final long H0 = RollupJobRedisIT.H0;
    static final List<String> SPECS = List.of("tumbling-1m", "sliding-5m-1m");

    @Test
    void whenRedisRefusesTheJobsWritesEveryClientStillEndsWithTheStoresValues(
            KafkaServer kafka, RedisServer redis, PostgresServer pg) throws Exception {
        try (Jedis j = new Jedis(redis.uri())) {
            j.flushAll();
        }
        String pgUrl = pg.freshDatabase("wfail");
        Schemas.migrate(List.of("--set", "store.type=postgres", "--set", "store.postgres.url=" + pgUrl));
        JobConfig cfg = RollupJobRedisIT.config(kafka, redis)
                .with("store.type", "postgres")
                .with("store.postgres.url", pgUrl)
                .with("store.postgres.batch-interval", "100ms")
                .with("checkpoint.interval", "500ms")
                .with("redis.max-buffered", "20");
        final int n = 8_000; // 400 events/s: 20 s of wall time
        EventGenerator gen = new EventGenerator(RollupJobRedisIT.events(17, H0));
        long from = H0 - 3_600_000L, to = H0 + 2 * 3_600_000L;

        Map<String, SseClient> clients = new LinkedHashMap<>();
        Map<String, Map<String, WindowRow>> states = new LinkedHashMap<>();
        int resyncs = 0;
        long gapResyncs;
        int markers;
        try (FanoutServer fanout = TestServer.start(
                redis.uri().toString(), Map.of("store.type", "postgres", "store.postgres.url", pgUrl))) {
            for (int t = 0; t < 4; t++) {
                String tenant = String.format("tenant-%04d", t);
                for (String spec : SPECS) {
                    SseClient c = SseClient.open(
                            fanout.port(),
                            "/v1/stream?spec=" + spec + "&from=" + from + "&to=" + to + "&access_token="
                                    + TestServer.token(tenant, "*"));
                    assertThat(c.status(10_000)).isEqualTo(200);
                    clients.put(tenant + "/" + spec, c);
                    states.put(tenant + "/" + spec, new TreeMap<>());
                }
            }
            JobClient job = RollupJobRedisIT.job(cfg, gen, n, RateLimiterStrategy.perSecond(400))
                    .executeAsync("redis-write-failure-it");
            try (Jedis admin = new Jedis(redis.uri())) {
                Thread.sleep(4_000);
                admin.configSet("maxmemory-policy", "noeviction");
                admin.configSet("maxmemory", "1"); // every write is refused with OOM; reads and pub/sub go on
                try {
                    Thread.sleep(6_000);
                    assertThat(fanout.subscribedChannels())
                            .as("the fan-out stays subscribed")
                            .isPositive();
                } finally {
                    admin.configSet("maxmemory", "0");
                }
            }
            job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

            Map<String, Map<String, WindowRow>> stores = new LinkedHashMap<>();
            Map<String, WindowRow> all = StoreRows.postgres(pgUrl, "rollups");
            for (String key : clients.keySet()) {
                String tenant = key.substring(0, key.indexOf('/'));
                String spec = key.substring(key.indexOf('/') + 1);
                Map<String, WindowRow> mine = new TreeMap<>();
                all.forEach((k, r) -> {
                    if (r.tenantId().equals(tenant)
                            && r.spec().equals(spec)
                            && r.windowStart() >= from
                            && r.windowStart() < to) mine.put(k, r);
                });
                assertThat(mine).as("store rows of " + key).isNotEmpty();
                stores.put(key, mine);
            }
            List<String> diff = List.of("not checked");
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end) {
                diff = new ArrayList<>();
                for (String key : clients.keySet()) {
                    for (SseClient.Event e : clients.get(key).drain()) {
                        if ("resync".equals(e.event())) resyncs++;
                        EndToEndIT.apply(e, states.get(key));
                    }
                    for (String d : StoreRows.diff(stores.get(key), states.get(key), StoreRows.EXACT, 3))
                        diff.add(key + " " + d);
                }
                if (diff.isEmpty()) break;
                Thread.sleep(200);
            }
            assertThat(diff).as("every client holds the store's rows").isEmpty();
            gapResyncs = fanout.metrics().gaps.sum();
            markers = gapMarkers(redis);
        } finally {
            for (SseClient c : clients.values()) c.close();
            try (Jedis j = new Jedis(redis.uri())) {
                j.configSet("maxmemory", "0");
                j.flushAll(); // the next test's snapshots must not merge these streams
            }
        }
        int windows = states.values().stream().mapToInt(Map::size).sum();
        System.out.printf(
                "redis write failure IT: %d clients hold %d windows equal to the store; %d gap markers in the"
                        + " streams, %d gap resyncs at the fan-out, %d resync events received%n",
                clients.size(), windows, markers, gapResyncs, resyncs);
        assertThat(markers)
                .as("the job announced the channels it dropped deltas of")
                .isPositive();
        assertThat(gapResyncs).as("and the fan-out resynced their clients").isPositive();
        assertThat(resyncs).isPositive();
    }

    /** Gap markers in every recovery stream. */
    private static int gapMarkers(RedisServer redis) {
        int markers = 0;
        try (Jedis j = new Jedis(redis.uri())) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(
                        cursor, new ScanParams().match("rollcast:stream:*").count(500));
                for (String stream : page.getResult()) {
                    for (var e : j.xrange(stream, (StreamEntryID) null, (StreamEntryID) null)) {
                        if (e.getFields().get("m").contains("\"kind\":\"gap\"")) markers++;
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return markers;
    }
}
