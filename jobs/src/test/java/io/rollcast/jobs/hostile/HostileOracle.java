package io.rollcast.jobs.hostile;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the stores and topics must hold after any run over a {@link HostileStream}, computed from the
 * contract alone: plain loops over each partition in offset order, sums in BigDecimal rounded once.
 * It shares no code with the job.
 *
 * <p>The rules it applies, as docs/windows.md states them: a partition's time is the largest value
 * that {@code confirm} consecutive valid events of it have all reached; its watermark is that minus
 * the out-of-orderness bound minus 1 ms; an event is too late when the end of its minute (the pane:
 * the gcd of the specs) minus 1 ms plus the allowed lateness is at or before its partition's
 * watermark as of the events before it. Every other valid event counts once in every window of
 * every spec containing it (duplicates included: de-duplication is off), and a closed window's
 * version is 2 x count + 1.
 */
public final class HostileOracle {
    /** Expected values of one window: count, sum, min, max (doubles), version. */
    public record Window(long count, double sum, double min, double max, long version) {}

    /** Everything a run must produce. Keys of dead letters and late events are "partition/offset". */
    public record Expected(
            Map<String, Window> windows,
            Map<String, String> deadLetters,
            TreeSet<String> tooLate,
            Map<String, Long> kinds) {}

    /** A window spec in milliseconds. */
    public record Spec(String id, long size, long slide) {}

    private HostileOracle() {}

    public static Expected expect(
            List<HostileStream.Rec> records,
            List<Spec> specs,
            long paneMs,
            long latenessMs,
            long outOfOrdernessMs,
            int confirm) {
        Map<String, String> dead = new TreeMap<>();
        TreeSet<String> tooLate = new TreeSet<>();
        Map<String, Long> kinds = new TreeMap<>();
        Map<String, BigDecimal> sums = new HashMap<>();
        Map<String, long[]> counts = new HashMap<>();
        Map<String, double[]> minMax = new HashMap<>();
        for (int part = 0; part < HostileStream.PARTITIONS; part++) {
            List<Long> seen = new ArrayList<>(); // valid timestamps of this partition so far
            long time = Long.MIN_VALUE;
            long offset = -1;
            for (HostileStream.Rec rec : records) {
                if (rec.partition() != part) continue;
                offset++;
                String pos = part + "/" + offset;
                if (rec.reason() != null) {
                    dead.put(pos, rec.reason());
                    kinds.merge(rec.kind(), 1L, Long::sum);
                    continue;
                }
                long watermark = time == Long.MIN_VALUE ? Long.MIN_VALUE : time - outOfOrdernessMs - 1;
                HostileStream.Ev e = rec.event();
                seen.add(e.ts());
                if (seen.size() >= confirm) {
                    long min = Long.MAX_VALUE;
                    for (int i = seen.size() - confirm; i < seen.size(); i++) min = Math.min(min, seen.get(i));
                    time = Math.max(time, min);
                }
                long paneEnd = Math.floorDiv(e.ts(), paneMs) * paneMs + paneMs;
                if (watermark != Long.MIN_VALUE && paneEnd - 1 + latenessMs <= watermark) {
                    tooLate.add(pos);
                    kinds.merge("dropped-too-late(" + rec.kind() + ")", 1L, Long::sum);
                    continue;
                }
                kinds.merge(rec.kind(), 1L, Long::sum);
                for (Spec s : specs) {
                    for (long start = Math.floorDiv(e.ts(), s.slide()) * s.slide();
                            start > e.ts() - s.size();
                            start -= s.slide()) {
                        String k = e.tenant() + "|" + e.type() + "|" + s.id() + "|" + start;
                        sums.merge(k, new BigDecimal(e.value()), BigDecimal::add);
                        counts.computeIfAbsent(k, x -> new long[1])[0]++;
                        double[] mm = minMax.computeIfAbsent(
                                k, x -> new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
                        mm[0] = Math.min(mm[0], e.value());
                        mm[1] = Math.max(mm[1], e.value());
                    }
                }
            }
        }
        Map<String, Window> windows = new TreeMap<>();
        counts.forEach((k, c) -> windows.put(
                k, new Window(c[0], sums.get(k).doubleValue(), minMax.get(k)[0], minMax.get(k)[1], 2 * c[0] + 1)));
        return new Expected(windows, dead, tooLate, kinds);
    }
}
