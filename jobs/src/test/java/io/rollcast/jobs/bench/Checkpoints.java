package io.rollcast.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollcast.testkit.FlinkCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The completed checkpoints of one job, collected from the REST API's checkpoint history (which
 * keeps the last {@code web.checkpoints.history} = 10): {@link #poll} it more often than every 10
 * checkpoint intervals and no checkpoint is missed ({@link #missed} says if one was).
 */
final class Checkpoints {
    /**
     * One completed checkpoint; {@code alignMs}, {@code syncMs}, {@code asyncMs}, {@code startDelayMs} are the
     * slowest window-rollups subtask's (REST checkpoint details): barrier alignment, the synchronous part (the
     * write-back caches' flush included), the asynchronous upload, the barrier's delay reaching the task.
     */
    record Done(
            long id,
            long triggerMs,
            long durationMs,
            long checkpointedBytes,
            long stateBytes,
            long alignMs,
            long syncMs,
            long asyncMs,
            long startDelayMs) {}

    private final Map<Long, Done> done = new TreeMap<>();
    private long completed, failed;

    private String rollupsVertex;

    void poll(FlinkCluster flink, String job) throws Exception {
        if (rollupsVertex == null) {
            for (JsonNode v : flink.rest("/jobs/" + job).path("vertices"))
                if (v.path("name").asText().startsWith("window-rollups"))
                    rollupsVertex = v.path("id").asText();
        }
        JsonNode c = flink.rest("/jobs/" + job + "/checkpoints");
        completed = c.path("counts").path("completed").asLong();
        failed = c.path("counts").path("failed").asLong();
        for (JsonNode h : c.path("history")) {
            if (!h.path("status").asText().equals("COMPLETED")
                    || h.path("is_savepoint").asBoolean()) continue;
            long id = h.path("id").asLong();
            if (done.containsKey(id)) continue;
            JsonNode sum = rollupsVertex == null
                    ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                    : flink.rest("/jobs/" + job + "/checkpoints/details/" + id + "/subtasks/" + rollupsVertex)
                            .path("summary");
            done.put(
                    id,
                    new Done(
                            id,
                            h.path("trigger_timestamp").asLong(),
                            h.path("end_to_end_duration").asLong(),
                            h.path("checkpointed_size").asLong(),
                            h.path("state_size").asLong(),
                            sum.path("alignment").path("duration").path("max").asLong(-1),
                            sum.path("checkpoint_duration")
                                    .path("sync")
                                    .path("max")
                                    .asLong(-1),
                            sum.path("checkpoint_duration")
                                    .path("async")
                                    .path("max")
                                    .asLong(-1),
                            sum.path("start_delay").path("max").asLong(-1)));
        }
    }

    long failed() {
        return failed;
    }

    /** Completed checkpoints the REST history dropped before a poll saw them. */
    long missed() {
        return Math.max(0, completed - done.size());
    }

    /** The checkpoints triggered in [fromMs, toMs) (wall clock). */
    List<Done> between(long fromMs, long toMs) {
        List<Done> out = new ArrayList<>();
        for (Done d : done.values()) if (d.triggerMs() >= fromMs && d.triggerMs() < toMs) out.add(d);
        return out;
    }

    List<Done> all() {
        return new ArrayList<>(done.values());
    }

    /** e.g. "12 checkpoints: duration p50 120 / p99 450 / max 450 ms; checkpointed p50 3.1 / max 20.0 MB; full state 200.0 MB". */
    static String summary(List<Done> ds) {
        if (ds.isEmpty()) return "no completed checkpoint";
        long[] dur = ds.stream().mapToLong(Done::durationMs).sorted().toArray();
        long[] inc = ds.stream().mapToLong(Done::checkpointedBytes).sorted().toArray();
        Done slowest = ds.stream()
                .max(java.util.Comparator.comparingLong(Done::durationMs))
                .orElseThrow();
        return String.format(
                "%d checkpoints: duration p50 %d / p99 %d / max %d ms; checkpointed (incremental) p50 %.1f / max %.1f MB;"
                        + " full state %.1f MB (last); slowest, window-rollups: barrier delay %d, alignment %d, sync %d,"
                        + " async %d ms",
                ds.size(),
                pct(dur, 0.5),
                pct(dur, 0.99),
                dur[dur.length - 1],
                pct(inc, 0.5) / 1e6,
                inc[inc.length - 1] / 1e6,
                ds.get(ds.size() - 1).stateBytes() / 1e6,
                slowest.startDelayMs(),
                slowest.alignMs(),
                slowest.syncMs(),
                slowest.asyncMs());
    }

    static long p99(List<Done> ds) {
        return pct(ds.stream().mapToLong(Done::durationMs).sorted().toArray(), 0.99);
    }

    /** Nearest-rank percentile of sorted values. */
    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p * sorted.length) - 1))];
    }
}
