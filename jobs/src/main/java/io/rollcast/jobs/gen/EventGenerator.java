package io.rollcast.jobs.gen;

import io.rollcast.model.Event;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A deterministic, random-access generator of event records: record {@code i} depends only on the
 * config and {@code i}, so tests, the demo and benchmarks can regenerate any record, in parallel,
 * and an oracle can recompute the truth from the same sequence.
 *
 * <p>Each record is labelled with what it is meant to be; a duplicate repeats the exact bytes of an
 * earlier valid record (same event_id).
 */
public final class EventGenerator implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What a generated record is meant to exercise. */
    public enum Label {
        IN_ORDER,
        OUT_OF_ORDER,
        LATE,
        TOO_LATE,
        BAD,
        DUPLICATE
    }

    /** One generated record; {@code event} is the parsed truth for every label but BAD. */
    public record Generated(long index, Label label, byte[] key, byte[] value, Event event) {}

    private static final String[] BAD_SHAPES = {
        "not json at all",
        "[1,2,3]",
        "{\"event_id\":\"%s\",\"event_type\":\"x\",\"timestamp\":%d,\"schema_version\":1}",
        "{\"event_id\":\"%s\",\"tenant_id\":\"bad tenant!\",\"event_type\":\"x\",\"timestamp\":%d,\"schema_version\":1}",
        "{\"event_id\":\"%s\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":\"soon-%d\",\"schema_version\":1}",
        "{\"event_id\":\"%s\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":%d,\"value\":\"NaN\",\"schema_version\":1}",
        "{\"event_id\":\"%s\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":%d,\"value\":1e999,\"schema_version\":1}",
        "{\"event_id\":\"%s\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":%d,\"schema_version\":99}",
        "{\"event_id\":\"%s\",\"tenant_id\":\"t\",\"event_type\":42,\"timestamp\":%d,\"schema_version\":1}",
        "{\"event_id\":\"%s\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":%d,\"schema_version\":1,\"payload\":\"%s\"}",
    };

    private final GeneratorConfig cfg;
    private final String[] tenantIds;
    private final String[] typeNames;
    private final String padding = "x".repeat(70_000);

    public EventGenerator(GeneratorConfig cfg) {
        this.cfg = cfg;
        this.tenantIds = new String[cfg.tenants()];
        for (int t = 0; t < tenantIds.length; t++) tenantIds[t] = String.format("tenant-%04d", t);
        this.typeNames = new String[cfg.eventTypes()];
        String[] base = {
            "page.view", "click", "signup", "purchase", "error", "search", "share", "login", "logout", "upload"
        };
        for (int t = 0; t < typeNames.length; t++) {
            typeNames[t] = t < base.length ? base[t] : "type-" + t;
        }
    }

    public GeneratorConfig config() {
        return cfg;
    }

    /** Event time of record {@code i} before any disorder is applied. */
    public long baseTime(long i) {
        return cfg.startMs() + (long) Math.floor(i * 1000.0 / cfg.eventsPerSecond());
    }

    private SplittableRandom rng(long i) {
        return new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 1);
    }

    public Generated get(long i) {
        SplittableRandom r = rng(i);
        double roll = r.nextDouble();
        double acc = cfg.badFraction();
        if (roll < acc) return bad(i, r);
        acc += cfg.duplicateFraction();
        if (roll < acc) {
            long j = i - 1 - r.nextInt(50);
            if (j >= 0) {
                Generated original = get(j);
                if (original.event() != null
                        && original.label() != Label.TOO_LATE
                        && original.label() != Label.DUPLICATE) {
                    return new Generated(i, Label.DUPLICATE, original.key(), original.value(), original.event());
                }
            }
            return valid(i, r, Label.IN_ORDER, baseTime(i));
        }
        acc += cfg.tooLateFraction();
        if (roll < acc)
            return valid(i, r, Label.TOO_LATE, baseTime(i) - r.nextLong(cfg.tooLateMinMs(), cfg.tooLateMaxMs() + 1));
        acc += cfg.lateFraction();
        if (roll < acc) return valid(i, r, Label.LATE, baseTime(i) - r.nextLong(cfg.lateMinMs(), cfg.lateMaxMs() + 1));
        acc += cfg.outOfOrderFraction();
        if (roll < acc)
            return valid(i, r, Label.OUT_OF_ORDER, baseTime(i) - 1 - r.nextLong(Math.max(1, cfg.maxDisorderMs())));
        return valid(i, r, Label.IN_ORDER, baseTime(i));
    }

    private Generated valid(long i, SplittableRandom r, Label label, long ts) {
        String tenant = tenantIds[r.nextInt(tenantIds.length)];
        String type = typeNames[r.nextInt(typeNames.length)];
        // values with two decimals: sums are not exactly representable, so exact summation matters
        double value = r.nextInt(0, 100_000) / 100.0;
        ts = Math.max(0, ts);
        String id = "ev-" + cfg.seed() + "-" + i;
        String json = "{\"event_id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"event_type\":\"" + type
                + "\",\"timestamp\":" + ts + ",\"value\":" + value + ",\"schema_version\":1}";
        return new Generated(
                i,
                label,
                tenant.getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8),
                new Event(id, tenant, type, ts, value));
    }

    private Generated bad(long i, SplittableRandom r) {
        int shape = (int) (i % BAD_SHAPES.length);
        String id = "bad-" + cfg.seed() + "-" + i;
        String json = shape == BAD_SHAPES.length - 1
                ? String.format(BAD_SHAPES[shape], id, baseTime(i), padding) // over the size limit
                : String.format(BAD_SHAPES[shape], id, baseTime(i));
        String tenant = tenantIds[r.nextInt(tenantIds.length)];
        return new Generated(
                i, Label.BAD, tenant.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), null);
    }
}
