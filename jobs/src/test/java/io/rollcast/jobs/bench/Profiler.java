package io.rollcast.jobs.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * async-profiler (the copy Flink itself ships, tools.profiler:async-profiler) attached to another
 * JVM, e.g. the TaskManager, in itimer mode (no perf_events needed), with a summary of the collapsed
 * stacks: CPU by thread and by what the leaf-most recognisable frame belongs to (RocksDB, Kafka,
 * Jackson, Flink serialization and network, the Rollcast operators, the sinks' clients, GC, JIT).
 */
final class Profiler {
    static final long INTERVAL_NS = 10_000_000L; // one sample per 10 ms of CPU time

    private final long pid;
    private final Path lib;
    private long startedNanos;

    Profiler(long pid, Path workDir) throws IOException {
        this.pid = pid;
        this.lib = workDir.resolve("libasyncProfiler.so");
        if (!Files.exists(lib)) {
            try (InputStream in =
                    Profiler.class.getClassLoader().getResourceAsStream("linux-x64/libasyncProfiler.so")) {
                if (in == null)
                    throw new IOException(
                            "linux-x64/libasyncProfiler.so not on the classpath (tools.profiler:async-profiler)");
                Files.createDirectories(workDir);
                Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    void start() throws Exception {
        command("start,event=itimer,interval=" + INTERVAL_NS + ",threads");
        startedNanos = System.nanoTime();
    }

    /** Stops and writes collapsed stacks to {@code out}; returns the profiled seconds. */
    double stop(Path out) throws Exception {
        command("stop,file=" + out.toAbsolutePath() + ",collapsed");
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private void command(String args) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            vm.loadAgentPath(lib.toAbsolutePath().toString(), args);
        } finally {
            vm.detach();
        }
    }

    // ------------------------------------------------------------------ summary

    /** Categories by the leaf-most frame that matches; first match in this order wins per frame. */
    private static final String[][] RULES = {
        {"rocksdb", "RocksDB (state)"},
        {"com.fasterxml.jackson", "JSON (Jackson)"},
        {"org.apache.kafka", "Kafka client"},
        {"redis.clients", "Redis client (Jedis)"},
        {"org.postgresql", "Postgres JDBC"},
        {"java.net.http", "ClickHouse HTTP client"},
        {"jdk.internal.net.http", "ClickHouse HTTP client"},
        {"org.apache.flink.api.common.typeutils", "Flink serialization"},
        {"org.apache.flink.api.java.typeutils", "Flink serialization"},
        {"org.apache.flink.core.memory", "Flink serialization"},
        {"org.apache.flink.runtime.io.network", "Flink network stack"},
        {"org.apache.flink.streaming.runtime.io", "Flink network stack"},
        {"org.apache.flink.shaded.netty", "Flink network stack"},
        {"io.rollcast", "Rollcast operators and sinks"},
        {"java.util.zip", "compression"},
        {"net.jpountz", "compression"},
        {"org.xerial.snappy", "compression"},
    };

    record Summary(
            long samples,
            double seconds,
            Map<String, Long> byThread,
            Map<String, Long> byCategory,
            Map<String, Long> byLeaf,
            String busiest,
            Map<String, Long> busiestByCategory) {
        double cores() {
            return samples * (INTERVAL_NS / 1e9) / seconds;
        }

        void print(String title, int top) {
            System.out.printf(
                    "%n### Profile: %s (async-profiler itimer, %.0f s, %,d samples = %.2f cores busy in the TaskManager)%n%n",
                    title, seconds, samples, cores());
            table("by thread", byThread, top);
            table("by component (leaf-most recognised frame)", byCategory, top);
            table("busiest thread (" + busiest + ") by component", busiestByCategory, top);
            table("hottest leaf frames", byLeaf, top);
        }

        private void table(String name, Map<String, Long> m, int top) {
            System.out.printf("| %s | share |%n|---|---|%n", name);
            m.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(top)
                    .forEach(e -> System.out.printf(
                            "| %s | %.1f %% |%n",
                            e.getKey().replace("|", "/"), 100.0 * e.getValue() / Math.max(1, samples)));
            System.out.println();
        }
    }

    static Summary summarize(Path collapsed, double seconds) throws IOException {
        Map<String, Long> byThread = new HashMap<>(), byCategory = new HashMap<>(), byLeaf = new HashMap<>();
        Map<String, Map<String, Long>> categoryByThread = new HashMap<>();
        long total = 0;
        for (String line : Files.readAllLines(collapsed)) {
            int sp = line.lastIndexOf(' ');
            if (sp <= 0) continue;
            long n = Long.parseLong(line.substring(sp + 1).trim());
            List<String> frames = new ArrayList<>(List.of(line.substring(0, sp).split(";")));
            String thread = frames.isEmpty() || !frames.get(0).startsWith("[") ? "?" : threadGroup(frames.remove(0));
            String category = category(thread, frames);
            total += n;
            byThread.merge(thread, n, Long::sum);
            byCategory.merge(category, n, Long::sum);
            categoryByThread.computeIfAbsent(thread, t -> new HashMap<>()).merge(category, n, Long::sum);
            if (!frames.isEmpty()) byLeaf.merge(shorten(frames.get(frames.size() - 1)), n, Long::sum);
        }
        String busiest = byThread.entrySet().stream()
                .filter(e -> !e.getKey().contains("Compiler"))
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse("?");
        return new Summary(
                total,
                seconds,
                sortedCopy(byThread),
                sortedCopy(byCategory),
                sortedCopy(byLeaf),
                busiest,
                sortedCopy(categoryByThread.getOrDefault(busiest, Map.of())));
    }

    private static Map<String, Long> sortedCopy(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** "[window-rollups -> delta-emitter (2/2)#0 tid=1234]" → "window-rollups -> delta-emitter". */
    static String threadGroup(String frame) {
        String t = frame.substring(1, frame.length() - 1).replaceAll(" tid=\\d+$", "");
        t = t.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?$", "");
        t = t.replaceAll("[#-]?\\d+$", "");
        return t.length() > 90 ? t.substring(0, 87) + "..." : t;
    }

    private static String category(String thread, List<String> frames) {
        for (int i = frames.size() - 1; i >= 0; i--) {
            String f = frames.get(i).replace('/', '.');
            for (String[] rule : RULES) {
                if (f.contains(rule[0])) return rule[1];
            }
        }
        if (thread.startsWith("GC") || thread.startsWith("G1")) return "JVM: garbage collection";
        if (thread.contains("Compiler")) return "JVM: JIT compiler";
        return "other (JDK, JVM, libc)";
    }

    private static String shorten(String frame) {
        String f = frame.replace('/', '.');
        return f.length() > 100 ? f.substring(0, 97) + "..." : f;
    }
}
