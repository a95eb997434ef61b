package io.rollcast.operators;

import io.rollcast.model.Event;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Heap bytes per entry of the write-back cache ({@code state.write-back-max-entries}) of
 * window-rollups and delta-emitter, on the sparse shape (one event per key and minute), measured, not
 * estimated: an operator harness on RocksDB (timers in RocksDB, as in the job) with an unbounded
 * cache is fed {@code keys} keys × {@code minutes} minutes without a watermark, so every pane and
 * every emitted window stays cached; the heap after full GCs, minus the heap before, over the entries
 * the cache holds. The sliding-window aggregator cache ({@code windows.cache-max-entries}) is set to
 * 1 so it does not count. Run with {@code bin/bench footprint [keys] [minutes]}.
 */
public final class CacheFootprintBenchmark {
    static final List<WindowSpec> THREE = List.of(
            WindowSpec.parse("tumbling 1m"), WindowSpec.parse("sliding 5m/1m"), WindowSpec.parse("sliding 60m/1m"));
    static final long T0 = 1_767_225_600_000L;
    static final long MIN = 60_000;

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        rollups(keys, minutes, RollupStats.NONE, "window-rollups (panes, key-meta)");
        rollups(keys / 4, minutes, STATS, "window-rollups, quantiles + distinct");
        deltas(keys, minutes);
        System.exit(0);
    }

    static final RollupStats STATS = new RollupStats(new double[] {0.5, 0.9, 0.99}, true, 0, 3.5, "count");

    static void rollups(int keys, int minutes, RollupStats stats, String what) throws Exception {
        WindowRollups fn = new WindowRollups(THREE, Duration.ofMinutes(5), Duration.ZERO, Duration.ZERO, 1, stats);
        WindowRollupsOperator op = new WindowRollupsOperator(fn, Integer.MAX_VALUE);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(op, Event::rollupKey, Types.STRING)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            long before = heapAfterGc();
            long seq = 0;
            for (int m = 0; m < minutes; m++) {
                for (int k = 0; k < keys; k++) {
                    long ts = T0 + m * MIN + (k % 60) * 1000L;
                    Event e = new Event(
                            "e" + seq, "t" + k, "x", ts, k % 7, 0, seq, Long.MIN_VALUE, seq * 0x9E3779B97F4A7C15L);
                    seq++;
                    h.processElement(new StreamRecord<>(e, ts));
                }
            }
            report(what, op.cache().size(), heapAfterGc() - before, keys, minutes);
        }
    }

    static void deltas(int keys, int minutes) throws Exception {
        DeltaEmitterOperator op =
                new DeltaEmitterOperator(new DeltaEmitter(THREE, Duration.ofMinutes(5)), Integer.MAX_VALUE);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(op, WindowRow::rollupKey, Types.STRING)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            long before = heapAfterGc();
            for (int m = 0; m < minutes; m++) {
                for (int k = 0; k < keys; k++) {
                    // the final rows one event per key-minute yields: every spec's window ending at this minute's end
                    for (WindowSpec s : THREE) {
                        long end = T0 + (m + 1) * MIN, start = end - s.sizeMs();
                        WindowRow r = new WindowRow("t" + k, "x", s.id(), start, end, 1, 1, 1, 1, Kind.FINAL, 3, end);
                        h.processElement(new StreamRecord<>(r, end - 1));
                    }
                }
                h.getOutput().clear();
            }
            report("delta-emitter (last-emitted)", op.cache().size(), heapAfterGc() - before, keys, minutes);
        }
    }

    static void report(String what, int entries, long bytes, int keys, int minutes) {
        System.out.printf(
                "%-34s %,d keys x %d minutes: %,d cached entries, %,d heap bytes = %.0f bytes per entry%n",
                what, keys, minutes, entries, bytes, bytes / (double) entries);
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
