package io.rollcast.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.LocalEnvironments;
import io.rollcast.jobs.RollupJob;
import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowDelta;
import io.rollcast.sinks.redis.DeltaPublisher;
import io.rollcast.sinks.redis.DeltaSubscriber;
import io.rollcast.sinks.redis.RedisSettings;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import redis.clients.jedis.Jedis;

/**
 * Figures of the Redis delta path: messages/s published pipelined at several batch sizes next to one
 * round trip per message (same messages, one subscriber attached), and event -> subscriber latency
 * through the whole job at a fixed event rate (rate-limited generator, early rows every 100 ms).
 *
 * <p>Run with {@code bin/bench redis [messages] [latencySeconds] [eventsPerSecond]}.
 */
public final class RedisBenchmark {
    static final long H0 = 1_767_225_600_000L;
    static final String[] TYPES = {"page.view", "click", "signup", "purchase", "error"};
    static final String[] SPECS = {"tumbling-1m", "sliding-5m-1m", "sliding-1h-1m"};
    static final int LATENCY_KEYS = 100; // 20 tenants x 5 types

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        RedisServer redis = RealServers.startForMain(RedisServer.class);
        System.out.println("redis-server: " + redis.uri() + ", " + version(redis));
        throughput(redis, messages);
        latency(redis, seconds, rate, -1); // Flink's default buffer timeout (100 ms) on the two network hops
        latency(redis, seconds, rate, 10);
        System.exit(0); // stops the local cluster's threads and, by the shutdown hook, Redis
    }

    private static String version(RedisServer redis) {
        try (Jedis j = new Jedis(redis.uri())) {
            return j.info("server")
                    .lines()
                    .filter(l -> l.startsWith("redis_version"))
                    .findFirst()
                    .orElse("?");
        }
    }

    // ------------------------------------------------------------------ throughput

    /** Deltas shaped like the job's: 100 tenants x 5 types x 3 specs, windows over two hours. */
    static List<WindowDelta> deltas(int n) {
        List<WindowDelta> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String tenant = String.format("tenant-%04d", i % 100);
            String type = TYPES[(i / 100) % TYPES.length];
            String spec = SPECS[(i / 500) % SPECS.length];
            long start = H0 + ((i / 1500) % 120) * 60_000L;
            long size = spec.equals("tumbling-1m") ? 60_000 : spec.equals("sliding-5m-1m") ? 300_000 : 3_600_000;
            long count = 1 + i / 1500;
            out.add(new WindowDelta(
                    tenant,
                    type,
                    spec,
                    start,
                    start + size,
                    Kind.EARLY,
                    2 * count,
                    2 * count - 2,
                    count,
                    count * 1.25,
                    0.5,
                    17.75,
                    1,
                    1.25,
                    0.0,
                    0.25,
                    System.currentTimeMillis()));
        }
        return out;
    }

    static void throughput(RedisServer redis, int messages) throws Exception {
        List<WindowDelta> all = deltas(messages);
        int oneByOne = Math.min(messages, 20_000);
        RedisSettings s = RedisSettings.of(redis.uri().toString()).withStream(1000, 3600);
        System.out.printf(
                "%n## Publish throughput: XADD + EXPIRE + PUBLISH per message (Lua, EVALSHA), 1 pattern subscriber%n%n");
        System.out.println(
                "| mode | batch | messages | published msgs/s | delivered to subscriber msgs/s | vs one round trip |");
        System.out.println("|---|---|---|---|---|---|");
        try (DeltaSubscriber sub = DeltaSubscriber.pattern(redis.uri(), "rollcast:*");
                DeltaPublisher p = new DeltaPublisher(s)) {
            run(p, all.subList(0, Math.min(messages, 20_000)), 500); // warm-up
            run(p, all.subList(0, Math.min(messages, 2_000)), 1);
            double base = 0;
            for (int batch : new int[] {1, 10, 100, 500, 2000}) {
                flushAll(redis);
                sub.awaitQuiet(Duration.ofMillis(200), Duration.ofSeconds(10));
                sub.clear();
                List<WindowDelta> in = batch == 1 ? all.subList(0, oneByOne) : all;
                long t0 = System.nanoTime();
                run(p, in, batch);
                long t1 = System.nanoTime();
                sub.awaitCount(in.size(), Duration.ofSeconds(60));
                long t2 = System.nanoTime();
                double published = in.size() / ((t1 - t0) / 1e9);
                double delivered = sub.count() / ((t2 - t0) / 1e9);
                if (batch == 1) base = published;
                System.out.printf(
                        "| %s | %d | %,d | %,.0f | %,.0f | %.1fx |%n",
                        batch == 1 ? "one round trip per message" : "pipelined",
                        batch,
                        in.size(),
                        published,
                        delivered,
                        published / base);
            }
        }
    }

    private static void run(DeltaPublisher p, List<WindowDelta> in, int batch) {
        if (batch == 1) {
            p.publishEach(in, System.currentTimeMillis());
            return;
        }
        for (int i = 0; i < in.size(); i += batch)
            p.publish(in.subList(i, Math.min(in.size(), i + batch)), System.currentTimeMillis());
    }

    private static void flushAll(RedisServer redis) {
        try (Jedis j = new Jedis(redis.uri())) {
            j.flushAll();
        }
    }

    // ------------------------------------------------------------------ latency

    /** Creation times (System.nanoTime) of the events of each (key, 1-minute window), in order. */
    static final Map<String, long[]> CREATED = new ConcurrentHashMap<>();

    static final Map<String, Integer> CREATED_N = new ConcurrentHashMap<>();

    /** Events stamped with the wall clock, round-robin over the keys; remembers when each was made. */
    static final class LiveEvents implements GeneratorFunction<Long, Ingested> {
        @Override
        public Ingested map(Long i) {
            long nanos = System.nanoTime();
            long now = System.currentTimeMillis();
            int k = (int) (i % LATENCY_KEYS);
            String tenant = String.format("tenant-%04d", k / TYPES.length);
            String type = TYPES[k % TYPES.length];
            String window = tenant + "|" + type + "|" + Math.floorDiv(now, 60_000L) * 60_000L;
            synchronized (CREATED) {
                int n = CREATED_N.getOrDefault(window, 0);
                long[] times = CREATED.computeIfAbsent(window, w -> new long[64]);
                if (n == times.length) CREATED.put(window, times = Arrays.copyOf(times, n * 2));
                times[n] = nanos;
                CREATED_N.put(window, n + 1);
            }
            return Ingested.of(new Event("e" + i, tenant, type, now, 1.0));
        }
    }

    /** @param bufferTimeoutMs Flink's execution.buffer-timeout.interval; -1 keeps the default */
    static void latency(RedisServer redis, int seconds, int rate, long bufferTimeoutMs) throws Exception {
        flushAll(redis);
        CREATED.clear();
        CREATED_N.clear();
        JobConfig cfg = JobConfig.defaults()
                .with("windows.early-interval", "100ms")
                .with("redis.enabled", "true")
                .with("redis.uri", redis.uri().toString())
                .with("job.parallelism", "2");
        long events = (long) rate * seconds;
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        if (bufferTimeoutMs >= 0) env.setBufferTimeout(bufferTimeoutMs);
        var source = new DataGeneratorSource<>(
                new LiveEvents(), events, RateLimiterStrategy.perSecond(rate), TypeInformation.of(Ingested.class));
        RollupJob.Outputs out = RollupJob.operators(
                env.fromSource(source, RollupJob.watermarks(cfg), "live-events").setParallelism(1), cfg);
        out.deltas()
                .sinkTo(new io.rollcast.sinks.redis.RedisDeltaSink(cfg.redisSettings()))
                .uid("sink-redis")
                .name("sink-redis"); // the job's Redis wiring; no Kafka sinks here

        List<DeltaSubscriber.Received> got;
        long warmupEnd;
        try (DeltaSubscriber sub = DeltaSubscriber.pattern(redis.uri(), "rollcast:*:tumbling-1m:*")) {
            long t0 = System.nanoTime();
            warmupEnd = t0 + Math.min(10, seconds / 5) * 1_000_000_000L;
            env.execute("redis-latency-bench");
            sub.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(10));
            got = sub.messages();
            System.out.printf(
                    "%n## Event -> subscriber latency: %,d events/s for %d s over %d keys, early rows every 100 ms, "
                            + "Redis flush interval %s, batch %d, Flink buffer timeout %s (job parallelism 2, RocksDB)%n%n",
                    rate,
                    seconds,
                    LATENCY_KEYS,
                    cfg.redisSettings().flushIntervalMs() + "ms",
                    cfg.redisSettings().batchSize(),
                    bufferTimeoutMs < 0 ? "100ms (default)" : bufferTimeoutMs + "ms");
            System.out.printf(
                    "job ran %.1f s; %,d tumbling-1m messages received (%,.0f/s)%n",
                    (System.nanoTime() - t0) / 1e9, got.size(), got.size() / ((System.nanoTime() - t0) / 1e9));
        }

        // per window: messages in arrival order; the first with count >= k carries the k-th event
        Map<String, List<DeltaSubscriber.Received>> byWindow = new HashMap<>();
        Map<DeltaSubscriber.Received, JsonNode> parsed = new HashMap<>();
        for (var r : got) {
            JsonNode m = r.json();
            parsed.put(r, m);
            byWindow.computeIfAbsent(
                            m.get("tenant_id").asText() + "|"
                                    + m.get("event_type").asText() + "|"
                                    + m.get("window_start").asLong(),
                            w -> new ArrayList<>())
                    .add(r);
        }
        long[] total = new long[(int) events];
        long[] toEmit = new long[(int) events];
        long[] toSub = new long[(int) events];
        int n = 0;
        long missing = 0;
        for (var e : CREATED.entrySet()) {
            long[] created = e.getValue();
            int count = CREATED_N.get(e.getKey());
            List<DeltaSubscriber.Received> msgs = byWindow.getOrDefault(e.getKey(), List.of());
            int j = 0;
            for (int k = 1; k <= count; k++) {
                while (j < msgs.size() && parsed.get(msgs.get(j)).get("count").asLong() < k) j++;
                if (j == msgs.size()) {
                    missing++;
                    continue;
                }
                if (created[k - 1] < warmupEnd) continue;
                var r = msgs.get(j);
                JsonNode m = parsed.get(r);
                total[n] = r.receivedNanos() - created[k - 1];
                long createdMs = r.receivedAtMs() - total[n] / 1_000_000; // wall-clock estimate of creation
                toEmit[n] = m.get("emitted_at").asLong() - createdMs;
                toSub[n] = r.receivedAtMs() - m.get("emitted_at").asLong();
                n++;
            }
        }
        System.out.printf(
                "events measured (after %d s warm-up): %,d; without a message: %d%n%n",
                Math.min(10, seconds / 5), n, missing);
        System.out.println("| span | p50 | p90 | p99 | max |");
        System.out.println("|---|---|---|---|---|");
        row("event -> subscriber", total, n, 1e6);
        row("event -> row emitted (emitted_at)", toEmit, n, 1);
        row("row emitted -> subscriber", toSub, n, 1);
    }

    private static void row(String name, long[] values, int n, double perMs) {
        long[] v = Arrays.copyOf(values, n);
        Arrays.sort(v);
        System.out.printf(
                "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
                name,
                pct(v, 0.50) / perMs,
                pct(v, 0.90) / perMs,
                pct(v, 0.99) / perMs,
                v.length == 0 ? 0 : v[v.length - 1] / perMs);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
