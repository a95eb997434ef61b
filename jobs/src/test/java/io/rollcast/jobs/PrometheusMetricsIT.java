package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a platform team's Prometheus scrapes: the job jar runs on the real session cluster (the
 * Prometheus reporter plugin configured by {@code bin/lib/flink.sh}) on real Kafka and Redis; the
 * test reads the TaskManager's and the JobManager's {@code /metrics} and the fan-out's over HTTP and
 * finds the series docs/operations.md names: dead letters per reason, too-late events, outliers,
 * rows per kind, the Redis buffer, the Kafka source's lag, and the fan-out's own.
 */
@ExtendWith(RealServers.class)
class PrometheusMetricsIT {
    static final String OP = "flink_taskmanager_job_task_operator_";
    static final long START = StoreRuns.START + 40 * 86_400_000L;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theJobsAndTheFanoutsSeriesAreScrapedOverHttp(KafkaServer kafka, FlinkCluster flink, RedisServer redis)
            throws Exception {
        String in = kafka.freshTopic("events", 2),
                rows = kafka.freshTopic("rollups", 1),
                late = kafka.freshTopic("late", 1);
        List<String> args = ClusterOperationsIT.args(
                kafka,
                in,
                rows,
                late,
                "windows.early-interval=200ms",
                "job.parallelism=1",
                "redis.enabled=true",
                "redis.uri=" + redis.uri());
        String job = flink.submit(ClusterOperationsIT.jar(), args, 1, null);
        try (FanoutServer fanout = TestServer.start(redis.uri().toString(), Map.of())) {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            long from = START - 3_600_000L, to = START + 3_600_000L;
            try (SseClient sse = SseClient.open(
                    fanout.port(),
                    "/v1/stream?spec=tumbling-1m&from=" + from + "&to=" + to + "&access_token="
                            + TestServer.token("tenant-0000", "tumbling-1m"))) {
                assertThat(sse.status(10_000)).isEqualTo(200);

                // StoreRuns' mixed stream 40 days later: the test run's Redis is shared, and other tests' SSE clients
                // must not find these deltas in the recovery streams of their channels
                EventGenerator gen = new EventGenerator(new GeneratorConfig(
                        7, 100, 5, START, 50, 0.20, 4_000, 0.02, 35_000, 180_000, 0, 0, 0, 0.01, 0.01));
                long n = 3_000;
                ClusterOperationsIT.produce(kafka, in, gen, 0, n, 3_000).join();
                ClusterOperationsIT.flush(kafka, in, 2, gen.baseTime(n) + 3_600_000L);
                try (var p = new KafkaProducer<>(
                        kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
                    // a dead letter of a known reason, and an event an hour behind its partition's watermark (too late)
                    p.send(new ProducerRecord<>(in, 0, bytes("tenant-0000"), bytes("not json")));
                    p.send(new ProducerRecord<>(
                            in,
                            0,
                            bytes("tenant-0000"),
                            bytes("{\"event_id\":\"too-late\",\"tenant_id\":\"tenant-0000\",\"event_type\":\"t\","
                                    + "\"timestamp\":" + gen.baseTime(0) + ",\"schema_version\":1}")));
                }

                Scrape tm = awaitScrape(
                        flink.taskManagerMetricsUrl(),
                        job,
                        s -> s.sum(OP + "dlq_not_json_records", job) >= 1
                                && s.sum(OP + "eventsTooLate", job) >= 1
                                && s.sum(OP + "rowsFinal", job) > 0
                                && s.sum(OP + "rowsEarly", job) > 0);
                Files.writeString(Path.of("target/prometheus-taskmanager.txt"), tm.text);
                for (String name : List.of(
                        OP + "eventsAheadOfPartitionTime",
                        OP + "rowsLate",
                        OP + "eventsLate",
                        OP + "deltasBuffered",
                        OP + "deltasPublished",
                        OP + "dlq_future_timestamp_records",
                        OP + "pendingRecords",
                        OP + "KafkaSourceReader_KafkaConsumer_records_lag_max")) {
                    assertThat(tm.values(name, job)).as(name + " of job " + job).isNotEmpty();
                }
                assertThat(tm.sum(OP + "deltasPublished", job)).isPositive();

                Scrape jm = scrape(flink.jobManagerMetricsUrl());
                Files.writeString(Path.of("target/prometheus-jobmanager.txt"), jm.text);
                assertThat(jm.values("flink_jobmanager_job_numRestarts", job)).hasSize(1);
                assertThat(jm.values("flink_jobmanager_taskSlotsTotal", null)).isNotEmpty();

                HttpResponse<String> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fanout.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
                Scrape fan = new Scrape(r.body());
                Files.writeString(Path.of("target/prometheus-fanout.txt"), fan.text);
                assertThat(fan.labelled("rollcast_fanout_connections", "transport=\"sse\""))
                        .hasValue(1.0);
                assertThat(fan.values("rollcast_fanout_subscriptions", null).get(0))
                        .as("one channel per hour of the stream's range")
                        .isPositive();
                assertThat(fan.values("rollcast_fanout_messages_in_total", null).get(0))
                        .isPositive();
                assertThat(fan.values("rollcast_fanout_messages_out_total", null)
                                .get(0))
                        .isPositive();
                assertThat(fan.text).contains("# TYPE rollcast_fanout_messages_in_total counter");
            }
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Scrape awaitScrape(URI url, String job, java.util.function.Predicate<Scrape> done) throws Exception {
        Scrape s = null;
        for (long end = System.nanoTime() + Duration.ofSeconds(90).toNanos(); System.nanoTime() < end; ) {
            s = scrape(url);
            if (done.test(s)) return s;
            Thread.sleep(500);
        }
        Files.writeString(Path.of("target/prometheus-taskmanager.txt"), s == null ? "" : s.text);
        throw new AssertionError(
                "the series of job " + job + " did not reach their values in 90 s (target/prometheus-taskmanager.txt)");
    }

    static Scrape scrape(URI url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET " + url).isEqualTo(200);
        return new Scrape(r.body());
    }

    /** One scrape in the Prometheus text format: {@code name{labels} value} lines. */
    record Scrape(String text) {
        static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})? (\\S+)$");

        /** Values of the series named {@code name}; only those labelled with the job id unless it is null. */
        List<Double> values(String name, String jobId) {
            List<Double> out = new ArrayList<>();
            series(name).forEach((labels, v) -> {
                if (jobId == null || labels.contains("job_id=\"" + jobId + "\"")) out.add(v);
            });
            return out;
        }

        double sum(String name, String jobId) {
            return values(name, jobId).stream().mapToDouble(Double::doubleValue).sum();
        }

        OptionalDouble labelled(String name, String label) {
            return series(name).entrySet().stream()
                    .filter(e -> e.getKey().contains(label))
                    .mapToDouble(Map.Entry::getValue)
                    .findFirst();
        }

        Map<String, Double> series(String name) {
            Map<String, Double> out = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.matches() && m.group(1).equals(name)) {
                    out.put(m.group(2) == null ? "" : m.group(2), Double.parseDouble(m.group(3)));
                }
            }
            return out;
        }
    }
}
