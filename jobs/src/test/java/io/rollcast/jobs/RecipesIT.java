package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.model.Kind;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.sinks.StoreRows;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each recipe of {@code conf/recipes/} through the real pipeline: its {@code job.yaml} (only the
 * servers, topics and checkpoint interval overridden, as {@code --set}) runs as the job jar on the
 * real session cluster, its {@code fanout.yaml} configures a real fan-out, on the test run's Kafka,
 * Postgres, ClickHouse and Redis; each test checks what the README's recipe table promises.
 */
@ExtendWith(RealServers.class)
class RecipesIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long MIN = 60_000L, HOUR = 3_600_000L;
    // 2026-03-02T00:00:00Z, a tenant of its own: the test run's Redis (recovery streams) is shared with other tests
    static final long START = StoreRuns.START + 60 * 24 * HOUR;
    static final String TENANT = "recipe-acme";

    @Test
    void hourlyPostgresSseKeepsAnHourlySeriesThatLateEventsRewriteAndABackfillRebuilds(
            KafkaServer kafka, FlinkCluster flink, PostgresServer pg, RedisServer redis) throws Exception {
        Topics t = Topics.fresh(kafka);
        String pgUrl = pg.freshDatabase("hourly");
        List<String> args = args(
                "hourly-postgres-sse",
                kafka,
                t,
                "store.postgres.url=" + pgUrl,
                "store.postgres.batch-interval=100ms",
                "redis.uri=" + redis.uri());
        Schemas.migrate(args);
        String job = flink.submit(ClusterOperationsIT.jar(), args, 2, null);
        Map<String, WindowRow> client = new TreeMap<>();
        int lateDeltas = 0;
        try (FanoutServer fanout = fanout("hourly-postgres-sse", redis, Map.of("store.postgres.url", pgUrl))) {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            try (SseClient sse = SseClient.open(
                    fanout.port(),
                    "/v1/stream?spec=tumbling-1h&from=" + (START - HOUR) + "&to=" + (START + 3 * HOUR)
                            + "&access_token=" + TestServer.token(TENANT, "tumbling-1h"))) {
                assertThat(sse.status(10_000)).isEqualTo(200);
                List<String> events = new ArrayList<>();
                for (int i = 0; i < 10; i++) events.add(event("h0-" + i, START + i * MIN, i + 1));
                for (int i = 0; i < 5; i++) events.add(event("h1-" + i, START + HOUR + i * MIN, 1));
                send(kafka, t.in, events);
                ClusterOperationsIT.flush(kafka, t.in, 2, START + 2 * HOUR + 10 * MIN);
                String h0 = StoreRows.key(TENANT, "view", "tumbling-1h", START);
                await("hour 0 final in Postgres", () -> {
                    WindowRow r = StoreRows.postgres(pgUrl, "rollups").get(h0);
                    return r != null && r.kind() == Kind.FINAL && r.count() == 10;
                });
                // 1 h 30 min behind its partition's clock: late, within the recipe's 2 h lateness
                send(kafka, t.in, List.of(event("late-1", START + 30 * MIN, 100)));
                await("hour 0 rewritten by the late event in Postgres", () -> {
                    WindowRow r = StoreRows.postgres(pgUrl, "rollups").get(h0);
                    return r != null && r.kind() == Kind.LATE && r.count() == 11 && r.max() == 100;
                });
                Map<String, WindowRow> store = tenantRows(StoreRows.postgres(pgUrl, "rollups"));
                assertThat(store.keySet())
                        .containsExactlyInAnyOrder(h0, StoreRows.key(TENANT, "view", "tumbling-1h", START + HOUR));
                int[] late = {0};
                await("the SSE client's snapshot + deltas equal Postgres", () -> {
                    for (SseClient.Event e : sse.drain()) {
                        if ("delta".equals(e.event()) && e.data().contains("\"kind\":\"late\"")) late[0]++;
                        apply(e, client);
                    }
                    return valuesDiff(store, client).isEmpty();
                });
                lateDeltas = late[0];
            }
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
        assertThat(lateDeltas).as("late deltas pushed on hour 0's channel").isPositive();
        assertThat(client.get(StoreRows.key(TENANT, "view", "tumbling-1h", START))
                        .kind())
                .isEqualTo(Kind.LATE);

        // the recipe's backfill (bin/rollcast backfill with its job.yaml) rebuilds the same series
        String pgBackfill = pg.freshDatabase("hourly_backfill");
        List<String> backfill = args(
                "hourly-postgres-sse",
                kafka,
                t,
                "store.postgres.url=" + pgBackfill,
                "store.postgres.batch-interval=100ms",
                "redis.uri=" + redis.uri());
        backfill.add("--backfill");
        Schemas.migrate(backfill);
        String bf = flink.submit(ClusterOperationsIT.jar(), backfill, 2, null);
        assertThat(flink.awaitTerminal(bf, Duration.ofMinutes(2))).isEqualTo("FINISHED");
        assertThat(valuesDiff(
                        tenantRows(StoreRows.postgres(pgUrl, "rollups")),
                        tenantRows(StoreRows.postgres(pgBackfill, "rollups"))))
                .as("backfill = live")
                .isEmpty();
    }

    @Test
    void slidingWebsocketPushesTumblingAndSlidingWindowsToWebSocketClientsWithoutAStore(
            KafkaServer kafka, FlinkCluster flink, RedisServer redis) throws Exception {
        Topics t = Topics.fresh(kafka);
        List<String> args = args("sliding-websocket", kafka, t, "redis.uri=" + redis.uri());
        String job = flink.submit(ClusterOperationsIT.jar(), args, 2, null);
        try (FanoutServer fanout = fanout("sliding-websocket", redis, Map.of())) {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            Ws sliding = Ws.open(fanout.port(), "sliding-5m-1m"), tumbling = Ws.open(fanout.port(), "tumbling-1m");
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 20; i++) events.add(event("m0-" + i, START + 1_000 + i * 2_000L, 2));
            send(kafka, t.in, events);
            ClusterOperationsIT.flush(kafka, t.in, 2, START + 10 * MIN);

            Map<String, WindowRow> expected = new TreeMap<>();
            for (long s = START - 4 * MIN; s <= START; s += MIN) {
                expected.put(StoreRows.key(TENANT, "view", "sliding-5m-1m", s), null);
            }
            await("final rows of the 5 sliding windows holding minute 0 over WebSocket", () -> {
                sliding.drain();
                return expected.keySet().stream().allMatch(k -> {
                    WindowRow r = sliding.state.get(k);
                    return r != null && r.kind() == Kind.FINAL && r.count() == 20 && r.sum() == 40;
                });
            });
            await("the final tumbling minute over WebSocket", () -> {
                tumbling.drain();
                WindowRow r = tumbling.state.get(StoreRows.key(TENANT, "view", "tumbling-1m", START));
                return r != null && r.kind() == Kind.FINAL && r.count() == 20;
            });
            assertThat(sliding.snapshots)
                    .as("the stream starts with a snapshot")
                    .isPositive();
            assertThat(sliding.deltas).isGreaterThanOrEqualTo(expected.size());
            sliding.ws.abort();
            tumbling.ws.abort();
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
    }

    @Test
    void clickhouseApiStoresPerTenantMinutesInClickHouseWithDeadLettersAndLagSeries(
            KafkaServer kafka, FlinkCluster flink, ClickHouseServer ch, RedisServer redis) throws Exception {
        Topics t = Topics.fresh(kafka);
        String db = ch.freshDatabase("chapi");
        List<String> args = args(
                "clickhouse-api", kafka, t, "store.clickhouse.url=" + ch.httpUrl(), "store.clickhouse.database=" + db);
        Schemas.migrate(args);
        String job = flink.submit(ClusterOperationsIT.jar(), args, 2, null);
        try (FanoutServer fanout = fanout(
                "clickhouse-api",
                redis,
                Map.of("store.clickhouse.url", ch.httpUrl(), "store.clickhouse.database", db))) {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            List<String> events = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                for (int i = 0; i < 10; i++) events.add(event("c" + m + "-" + i, START + m * MIN + i * 1_000L, m + 1));
            }
            events.add("not json");
            events.add("{\"event_id\":\"x\",\"tenant_id\":\"" + TENANT + "\",\"schema_version\":1}");
            send(kafka, t.in, events);
            ClusterOperationsIT.flush(kafka, t.in, 2, START + 10 * MIN);

            await("three final minutes in ClickHouse", () -> {
                Map<String, WindowRow> rows = tenantRows(StoreRows.clickhouse(ch, db));
                return rows.size() == 3
                        && rows.values().stream().allMatch(r -> r.kind() == Kind.FINAL && r.count() == 10);
            });
            Map<String, String> reasons = new TreeMap<>();
            await("both bad records in the dead-letter topic", () -> {
                for (ConsumerRecord<byte[], byte[]> r : RollupJobKafkaIT.readAll(kafka, t.dlq)) {
                    reasons.put(
                            new String(r.value(), StandardCharsets.UTF_8),
                            new String(r.headers().lastHeader(KafkaIo.H_REASON).value(), StandardCharsets.UTF_8));
                }
                return reasons.size() == 2;
            });
            assertThat(reasons.values()).containsExactlyInAnyOrder("not_json", "missing_field");

            PrometheusMetricsIT.Scrape tm = PrometheusMetricsIT.scrape(flink.taskManagerMetricsUrl());
            String op = PrometheusMetricsIT.OP;
            assertThat(tm.sum(op + "dlq_not_json_records", job)).isEqualTo(1.0);
            assertThat(tm.sum(op + "dlq_missing_field_records", job)).isEqualTo(1.0);
            assertThat(tm.values(op + "KafkaSourceReader_KafkaConsumer_records_lag_max", job))
                    .isNotEmpty();
            assertThat(tm.values(op + "pendingRecords", job)).isNotEmpty();

            // reads: the fan-out's snapshot over ClickHouse, the tenant from the token (no range API yet)
            HttpResponse<String> snap = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fanout.port()
                                            + "/v1/snapshot?spec=tumbling-1m&from=" + START + "&to=" + (START + HOUR)
                                            + "&access_token=" + TestServer.token(TENANT, "tumbling-1m")))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(snap.statusCode()).as(snap.body()).isEqualTo(200);
            JsonNode rows = JSON.readTree(snap.body()).get("rows");
            assertThat(rows).hasSize(3);
            for (JsonNode r : rows) assertThat(r.get("count").asLong()).isEqualTo(10);
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
    }

    /** The recipe's job.yaml, then the test's servers and topics. */
    static List<String> args(String recipe, KafkaServer kafka, Topics t, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--config",
                RecipeConfigsTest.job(recipe).toAbsolutePath().normalize().toString(),
                "--set",
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--set",
                "kafka.topic=" + t.in,
                "--set",
                "kafka.rows-topic=" + t.rows,
                "--set",
                "kafka.late-topic=" + t.late,
                "--set",
                "kafka.dlq-topic=" + t.dlq,
                "--set",
                "kafka.starting-offsets=earliest",
                "--set",
                "checkpoint.interval=1s"));
        for (String m : more) {
            a.add("--set");
            a.add(m);
        }
        return a;
    }

    /** The recipe's fanout.yaml, then a free port, the test key and the test's servers. */
    static FanoutServer fanout(String recipe, RedisServer redis, Map<String, String> stores) {
        Map<String, String> sets = new HashMap<>(stores);
        sets.put("server.port", "0");
        sets.put("auth.secret", TestServer.SECRET);
        sets.put("redis.uri", redis.uri().toString());
        return FanoutServer.start(
                FanoutConfig.load(RecipeConfigsTest.fanout(recipe).toAbsolutePath(), Map.of(), sets));
    }

    record Topics(String in, String rows, String late, String dlq) {
        static Topics fresh(KafkaServer kafka) {
            return new Topics(
                    kafka.freshTopic("events", 2),
                    kafka.freshTopic("rollups", 1),
                    kafka.freshTopic("late", 1),
                    kafka.freshTopic("dlq", 1));
        }
    }

    static String event(String id, long ts, double value) {
        return "{\"event_id\":\"" + id + "\",\"tenant_id\":\"" + TENANT + "\",\"event_type\":\"view\",\"timestamp\":"
                + ts + ",\"value\":" + value + ",\"schema_version\":1}";
    }

    static void send(KafkaServer kafka, String topic, List<String> values) {
        try (var p =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String v : values) {
                p.send(new ProducerRecord<>(
                        topic, TENANT.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    static Map<String, WindowRow> tenantRows(Map<String, WindowRow> rows) {
        rows.values().removeIf(r -> !r.tenantId().equals(TENANT));
        return rows;
    }

    /** Windows whose count, sum, min or max differ (kind, version and emission time aside). */
    static List<String> valuesDiff(Map<String, WindowRow> expected, Map<String, WindowRow> actual) {
        List<String> d = new ArrayList<>();
        expected.forEach((k, x) -> {
            WindowRow a = actual.get(k);
            if (a == null || a.count() != x.count() || a.sum() != x.sum() || a.min() != x.min() || a.max() != x.max()) {
                d.add(k + ": expected " + x + " got " + a);
            }
        });
        actual.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> d.add(k + ": unexpected"));
        return d;
    }

    static void apply(SseClient.Event e, Map<String, WindowRow> state) {
        try {
            EndToEndIT.apply(e, state);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    static void await(String what, Supplier<Boolean> done) throws InterruptedException {
        for (long end = System.nanoTime() + Duration.ofSeconds(90).toNanos(); System.nanoTime() < end; ) {
            if (done.get()) return;
            Thread.sleep(300);
        }
        throw new AssertionError("not within 90 s: " + what);
    }

    /** A WebSocket client of {@code /v1/ws} holding the rows it got: snapshot, then deltas (higher version wins). */
    static final class Ws implements WebSocket.Listener {
        final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final Map<String, WindowRow> state = new TreeMap<>();
        final StringBuilder part = new StringBuilder();
        int snapshots, deltas;
        WebSocket ws;

        static Ws open(int port, String spec) throws Exception {
            Ws w = new Ws();
            w.ws = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + port + "/v1/ws?spec=" + spec + "&from=" + (START - HOUR)
                                    + "&to=" + (START + HOUR) + "&access_token=" + TestServer.token(TENANT, spec)),
                            w)
                    .get(10, TimeUnit.SECONDS);
            return w;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            part.append(data);
            if (last) {
                frames.add(part.toString());
                part.setLength(0);
            }
            ws.request(1);
            return null;
        }

        void drain() {
            for (String f; (f = frames.poll()) != null; ) {
                try {
                    JsonNode n = JSON.readTree(f);
                    switch (n.path("event").asText()) {
                        case "snapshot", "resync" -> {
                            snapshots++;
                            state.clear();
                            n.get("data").get("rows").forEach(this::put);
                        }
                        case "delta" -> {
                            deltas++;
                            put(n.get("data"));
                        }
                        default -> {}
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private void put(JsonNode n) {
            WindowRow r = RowCodec.readRow(n.toString().getBytes(StandardCharsets.UTF_8));
            state.merge(StoreRows.key(r), r, (a, b) -> b.version() > a.version() ? b : a);
        }
    }
}
