package io.rollcast.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of every process on the machine between two points (from /proc/[pid]/stat), grouped
 * into the parts of the pipeline, so a figure can say which process was using the cores.
 */
final class CpuAccounting {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final Map<Long, Long> startTicks;
    private final Map<Long, String> labels = new HashMap<>();
    private final long startNanos = System.nanoTime();

    CpuAccounting() {
        startTicks = ticks();
    }

    /** Cores used per part since construction, largest first, as table rows. */
    List<String> rows() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Long> byLabel = new HashMap<>();
        ticks().forEach((pid, t) -> byLabel.merge(label(pid), t - startTicks.getOrDefault(pid, 0L), Long::sum));
        List<String> out = new ArrayList<>();
        double total = byLabel.values().stream().mapToLong(Long::longValue).sum() / TICKS_PER_SECOND / seconds;
        byLabel.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() > 0)
                .forEach(e ->
                        out.add(String.format("| %s | %.2f |", e.getKey(), e.getValue() / TICKS_PER_SECOND / seconds)));
        out.add(String.format(
                "| all processes (%d cores) | %.2f |", Runtime.getRuntime().availableProcessors(), total));
        return out;
    }

    private String label(long pid) {
        return labels.computeIfAbsent(pid, p -> {
            if (p == ProcessHandle.current().pid()) return "benchmark JVM (producer, fan-out server, SSE clients)";
            String cmd = read(Path.of("/proc", Long.toString(p), "cmdline")).replace('\0', ' ');
            if (cmd.contains("TaskManagerRunner")) return "Flink TaskManager (the job)";
            if (cmd.contains("ClusterEntrypoint")) return "Flink JobManager";
            if (cmd.contains("kafka.Kafka") || cmd.contains("KafkaRaftServer")) return "Kafka broker";
            if (cmd.contains("postgres")) return "Postgres";
            if (cmd.contains("clickhouse")) return "ClickHouse";
            if (cmd.contains("redis-server")) return "Redis";
            return "other";
        });
    }

    private Map<Long, Long> ticks() {
        Map<Long, Long> m = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        String stat = read(p.resolve("stat"));
                        int close = stat.lastIndexOf(')');
                        if (close < 0) return;
                        String[] f = stat.substring(close + 2).split(" ");
                        if (f.length < 13) return;
                        long pid = Long.parseLong(p.getFileName().toString());
                        m.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12])); // utime + stime (fields 14, 15)
                        label(pid);
                    });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
