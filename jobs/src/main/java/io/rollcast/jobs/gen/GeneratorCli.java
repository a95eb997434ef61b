package io.rollcast.jobs.gen;

import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Produces generated tenant events to Kafka, as fast as possible or at a wall-clock rate. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Produces deterministic generated events to a Kafka topic.")
public final class GeneratorCli implements Callable<Integer> {
    @Option(
            names = "--bootstrap",
            defaultValue = "127.0.0.1:19092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "events", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--count", defaultValue = "0", description = "Records to produce; 0 = forever (default).")
    long count;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description = "Records per second of wall clock; 0 = as fast as possible.")
    double rate;

    @Option(
            names = "--live",
            description = "Event time follows the wall clock (start now, density = --rate); for demos.")
    boolean live;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--tenants", defaultValue = "100")
    int tenants;

    @Option(names = "--types", defaultValue = "5")
    int types;

    @Option(
            names = "--start",
            defaultValue = "1767225600000",
            description = "Event time of record 0 in epoch ms, unless --live (default: 2026-01-01).")
    long start;

    @Option(
            names = "--events-per-second",
            defaultValue = "50",
            description = "Event-time density unless --live (default: ${DEFAULT-VALUE}).")
    double density;

    @Option(names = "--out-of-order", defaultValue = "0.2")
    double outOfOrder;

    @Option(names = "--max-disorder-ms", defaultValue = "4000")
    long maxDisorder;

    @Option(names = "--late", defaultValue = "0.02")
    double late;

    @Option(names = "--late-ms", defaultValue = "35000-180000", description = "Delay range of late events.")
    String lateMs;

    @Option(names = "--too-late", defaultValue = "0.01")
    double tooLate;

    @Option(names = "--too-late-ms", defaultValue = "480000-2100000")
    String tooLateMs;

    @Option(names = "--bad", defaultValue = "0.01")
    double bad;

    @Option(names = "--duplicates", defaultValue = "0.01")
    double duplicates;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GeneratorCli()).execute(args));
    }

    private static long[] range(String s) {
        String[] p = s.split("-");
        return new long[] {Long.parseLong(p[0].trim()), Long.parseLong(p[1].trim())};
    }

    public GeneratorConfig config(long now) {
        long[] l = range(lateMs);
        long[] tl = range(tooLateMs);
        boolean liveClock = live && rate > 0;
        return new GeneratorConfig(
                seed,
                tenants,
                types,
                liveClock ? now : start,
                liveClock ? rate : density,
                outOfOrder,
                maxDisorder,
                late,
                l[0],
                l[1],
                tooLate,
                tl[0],
                tl[1],
                bad,
                duplicates);
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.currentTimeMillis();
        EventGenerator gen = new EventGenerator(config(t0));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        AtomicReference<Exception> failure = new AtomicReference<>();
        long n = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long lastReport = t0;
            for (long i = 0; count == 0 || i < count; i++) {
                if (failure.get() != null) throw failure.get();
                if (rate > 0) {
                    long due = t0 + (long) (i * 1000.0 / rate);
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) Thread.sleep(wait);
                }
                EventGenerator.Generated g = gen.get(i);
                producer.send(new ProducerRecord<>(topic, g.key(), g.value()), (md, e) -> {
                    if (e != null) failure.compareAndSet(null, e);
                });
                n = i + 1;
                long now = System.currentTimeMillis();
                if (now - lastReport >= 5000) {
                    System.out.printf("generated %,d records (%.0f/s)%n", n, n * 1000.0 / (now - t0));
                    lastReport = now;
                }
            }
            producer.flush();
        }
        if (failure.get() != null) throw failure.get();
        long ms = Math.max(1, System.currentTimeMillis() - t0);
        System.out.printf("generated %,d records to %s in %.1f s (%.0f/s)%n", n, topic, ms / 1000.0, n * 1000.0 / ms);
        return 0;
    }
}
