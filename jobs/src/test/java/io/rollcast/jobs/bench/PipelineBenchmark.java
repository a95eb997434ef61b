package io.rollcast.jobs.bench;

import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.KafkaIo;
import io.rollcast.jobs.RollupJob;
import io.rollcast.jobs.StoreSinks;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The whole job (Kafka → parse → rollups for tumbling 1m + sliding 5m/1m + sliding 60m/1m →
 * Postgres + ClickHouse + Redis) on a local MiniCluster with 2 slots, next to a plain Kafka consumer
 * reading the same topic in the same run, and the backfill configuration next to the live one.
 * Real servers from the testkit. Prints a table. Run with {@code bin/bench pipeline [events]}.
 */
public final class PipelineBenchmark {

    static double job(JobConfig cfg) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("taskmanager.memory.managed.size", "256m");
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        RollupJob.configure(env, cfg);
        StoreSinks.migrateOnStart(cfg);
        RollupJob.attachSinks(RollupJob.build(env.fromSource(KafkaIo.source(cfg), RollupJob.watermarks(cfg), "kafka-events")
                .uid("kafka-events"), cfg), cfg);
        long t0 = System.nanoTime();
        env.execute("pipeline-bench");
        return (System.nanoTime() - t0) / 1e9;
    }

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        KafkaServer kafka = RealServers.startForMain(KafkaServer.class);
        PostgresServer pg = RealServers.startForMain(PostgresServer.class);
        ClickHouseServer ch = RealServers.startForMain(ClickHouseServer.class);
        RedisServer redis = RealServers.startForMain(RedisServer.class);
        String topic = kafka.freshTopic("bench", 4);
        // 1 000 tenants x 10 types, 2 000 events/s of event time: every key active every few seconds
        EventGenerator gen = new EventGenerator(GeneratorConfig.clean(3, 1_000, 10, 1_767_225_600_000L, 2_000));
        Properties pp = kafka.producerProperties();
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        try (var p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < n; i++) {
                var g = gen.get(i);
                p.send(new ProducerRecord<>(topic, g.key(), g.value()));
            }
        }

        long t0 = System.nanoTime();
        long read = 0;
        try (var c = new KafkaConsumer<>(kafka.consumerProperties("raw-" + topic), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (read < n) read += c.poll(Duration.ofMillis(200)).count();
        }
        double raw = (System.nanoTime() - t0) / 1e9;

        JobConfig base = JobConfig.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.topic", topic)
                .with("kafka.rows-topic", "")
                .with("kafka.starting-offsets", "earliest")
                .with("kafka.bounded", "true")
                .with("windows.early-interval", "100ms")
                .with("job.parallelism", "2")
                .with("store.type", "both")
                .with("store.clickhouse.url", ch.httpUrl())
                .with("redis.enabled", "true")
                .with("redis.uri", redis.uri().toString());
        double live = job(base.with("kafka.group-id", "live").with("store.postgres.url", pg.freshDatabase("live"))
                .with("store.clickhouse.database", ch.freshDatabase("live")));
        double backfill = job(base.with("kafka.group-id", "bf").with("store.postgres.url", pg.freshDatabase("bf"))
                .with("store.clickhouse.database", ch.freshDatabase("bf")).forBackfill());

        System.out.printf("%,d events, 4 partitions, 1 000 tenants x 10 types, specs tumbling 1m + sliding 5m/1m + sliding 60m/1m%n", n);
        System.out.printf("%-52s %8s %12s %10s %8s%n", "run", "seconds", "events/s", "per core", "ratio");
        System.out.printf("%-52s %8.1f %,12.0f %,10.0f %8s%n", "raw Kafka consumer (bytes only)", raw, n / raw, n / raw / 2, "1.00");
        System.out.printf("%-52s %8.1f %,12.0f %,10.0f %8.2f%n", "job, live config (early 100 ms, Redis live, p=2)", live, n / live,
                n / live / 2, raw / live);
        System.out.printf("%-52s %8.1f %,12.0f %,10.0f %8.2f  (%.2f x live)%n", "job, backfill config (coalesce, alignment)", backfill,
                n / backfill, n / backfill / 2, raw / backfill, live / backfill);
        System.out.println("(job times include job start-up and the final watermark flushing every window; ratio = events/s over the raw consumer's)");
        System.exit(0); // testkit's shutdown hook stops the servers
    }
}
