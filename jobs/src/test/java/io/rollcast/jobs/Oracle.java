package io.rollcast.jobs;

import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.model.Event;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The independent truth for window rows: plain grouping of the generated events, sharing nothing
 * with the operator (no panes, no incremental state; sums in BigDecimal, rounded once).
 */
final class Oracle {
    private Oracle() {}

    /** A window's expected values, comparable with {@link #of(WindowRow)}. */
    record Values(long count, double sum, double min, double max) {}

    static String key(String tenant, String type, String spec, long start) {
        return tenant + "|" + type + "|" + spec + "|" + start;
    }

    static Values of(WindowRow r) {
        return new Values(r.count(), r.sum(), r.min(), r.max());
    }

    /**
     * Expected final rows for the generated records {@code [0, n)}: every valid event counted once
     * (duplicates by event_id removed) except those in {@code droppedTooLate}.
     */
    static Map<String, Values> expected(
            EventGenerator gen, long n, List<WindowSpec> specs, Set<String> droppedTooLate) {
        Set<String> seen = new HashSet<>();
        Map<String, BigDecimal> sums = new TreeMap<>();
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, double[]> minMax = new TreeMap<>();
        for (long i = 0; i < n; i++) {
            EventGenerator.Generated g = gen.get(i);
            Event e = g.event();
            if (e == null || !seen.add(e.eventId()) || droppedTooLate.contains(e.eventId())) continue;
            for (WindowSpec s : specs) {
                long size = s.sizeMs(), slide = s.slideMs();
                // every window [start, start + size) with start a multiple of slide containing ts
                long lastStart = Math.floorDiv(e.timestamp(), slide) * slide;
                for (long start = lastStart; start > e.timestamp() - size; start -= slide) {
                    String k = key(e.tenantId(), e.eventType(), s.id(), start);
                    sums.merge(k, new BigDecimal(e.value()), BigDecimal::add);
                    counts.computeIfAbsent(k, x -> new long[1])[0]++;
                    double[] mm = minMax.computeIfAbsent(k, x -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
                    mm[0] = Math.min(mm[0], e.value());
                    mm[1] = Math.max(mm[1], e.value());
                }
            }
        }
        Map<String, Values> out = new TreeMap<>();
        counts.forEach((k, c) -> out.put(
                k, new Values(c[0], Double.parseDouble(sums.get(k).toString()), minMax.get(k)[0], minMax.get(k)[1])));
        return out;
    }

    /** The row a "highest version wins" store keeps for each window. */
    static Map<String, WindowRow> latest(Collection<WindowRow> rows) {
        Map<String, WindowRow> latest = new TreeMap<>();
        for (WindowRow r : rows) {
            latest.merge(
                    key(r.tenantId(), r.eventType(), r.spec(), r.windowStart()),
                    r,
                    (a, b) -> b.version() > a.version() ? b : a);
        }
        return latest;
    }

    static Map<String, Values> values(Map<String, WindowRow> latest) {
        Map<String, Values> out = new TreeMap<>();
        latest.forEach((k, r) -> out.put(k, of(r)));
        return out;
    }

    static List<String> diff(Map<String, Values> expected, Map<String, Values> actual, int limit) {
        List<String> d = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Values a = actual.get(e.getKey());
            if (!e.getValue().equals(a) && d.size() < limit)
                d.add(e.getKey() + ": expected " + e.getValue() + " got " + a);
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k) && d.size() < limit) d.add(k + ": unexpected " + actual.get(k));
        }
        return d;
    }
}
