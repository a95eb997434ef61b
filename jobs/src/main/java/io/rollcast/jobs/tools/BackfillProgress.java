package io.rollcast.jobs.tools;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Prints the progress of a backfill: records done of the records that existed at start, rate and
 * ETA. "Done" is the consumer group's committed offsets, which the job commits on each checkpoint.
 */
public final class BackfillProgress implements Runnable, AutoCloseable {
    private final Admin admin;
    private final String topic;
    private final String group;
    private final PrintStream out;
    private final long intervalMs;
    private final Map<TopicPartition, Long> start = new HashMap<>();
    private final Map<TopicPartition, Long> end = new HashMap<>();
    private volatile boolean stopped;

    public BackfillProgress(String bootstrap, String topic, String group, PrintStream out, long intervalMs)
            throws Exception {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        this.topic = topic;
        this.group = group;
        this.out = out;
        this.intervalMs = intervalMs;
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>(), latest = new HashMap<>();
        admin.describeTopics(java.util.List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic)
                .partitions()
                .forEach(p -> {
                    TopicPartition tp = new TopicPartition(topic, p.partition());
                    earliest.put(tp, OffsetSpec.earliest());
                    latest.put(tp, OffsetSpec.latest());
                });
        admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS).forEach((tp, o) -> start.put(tp, o.offset()));
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
            end.put(e.getKey(), e.getValue().offset());
        }
    }

    /** Records in the topic when the backfill started (it stops there). */
    public long total() {
        long t = 0;
        for (var tp : end.keySet()) t += end.get(tp) - start.get(tp);
        return t;
    }

    /** Records committed by the job so far, capped at the start-time end offsets. */
    public long done() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        long d = 0;
        for (var tp : end.keySet()) {
            OffsetAndMetadata o = committed.get(tp);
            if (o != null) d += Math.min(o.offset(), end.get(tp)) - start.get(tp);
        }
        return d;
    }

    @Override
    public void run() {
        runUntil(false);
    }

    /**
     * Prints progress every interval until closed (or interrupted), or, with {@code untilDone}, until
     * every record that existed at start is committed; returns whether that happened. One offsets
     * query per line.
     */
    public boolean runUntil(boolean untilDone) {
        long t0 = System.currentTimeMillis();
        long total = total();
        out.printf("backfill: %,d records in %s (%d partitions), group %s%n", total, topic, end.size(), group);
        while (!stopped) {
            try {
                Thread.sleep(intervalMs);
                long d = done();
                double secs = Math.max(0.001, (System.currentTimeMillis() - t0) / 1000.0);
                double rate = d / secs;
                String eta = rate > 0 ? String.format("%.0f s", (total - d) / rate) : "?";
                out.printf(
                        "backfill: %,d / %,d records (%.1f %%), %,.0f records/s, ETA %s%n",
                        d, total, total == 0 ? 100.0 : 100.0 * d / total, rate, eta);
                if (untilDone && d >= total) return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                out.println("backfill: progress unavailable: " + e.getMessage());
            }
        }
        return false;
    }

    @Override
    public void close() {
        stopped = true;
        admin.close();
    }
}
