package io.rollcast.jobs.hostile;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A hostile Kafka stream written for the oracle tests, independent of the job's code: every invalid
 * class of the event contract (including the two loosely accepted classes that once poisoned the
 * watermark, stamped days ahead), producers whose clocks are fast in every partition, every
 * timestamp form and offset, minute-boundary timestamps, huge, tiny and 2^53 magnitudes, unicode and
 * decoy fields inside {@code payload}, exact duplicates, out-of-order, late and too-late events.
 *
 * <p>Each record says what it is: its partition, its Kafka CreateTime, its bytes, and either the
 * dead-letter reason the contract requires or the event it must be read as. Simulated time runs
 * from {@code base}, about 25 ms per record.
 */
public final class HostileStream {
    /** The event a valid record must be read as. */
    public record Ev(String tenant, String type, long ts, double value) {}

    /** One Kafka record: {@code reason} is the required dead-letter reason, or null and {@code event} is set. */
    public record Rec(int partition, long createTime, byte[] key, byte[] value, String reason, Ev event, String kind) {}

    public static final int PARTITIONS = 4;
    static final long MIN = 60_000L;
    static final long HOUR = 60 * MIN;
    static final String[] TYPES = {"page.view", "click", "checkout_v2"};

    private final SplittableRandom r;
    private final long base;
    private final int maxRecordBytes;
    private final List<Rec> out = new ArrayList<>();
    private final List<Rec> valid = new ArrayList<>();
    private long now;
    private int seq;

    private HostileStream(long seed, long base, int maxRecordBytes) {
        this.r = new SplittableRandom(seed);
        this.base = base;
        this.maxRecordBytes = maxRecordBytes;
        this.now = base;
    }

    /**
     * @param n records (about; fast-clock runs add a few)
     * @param base simulated time of the first record (keep it within the broker's retention: hours, not months, ago)
     * @param maxRecordBytes the job's input.max-record-bytes, for the oversized class
     */
    public static List<Rec> generate(long seed, int n, long base, int maxRecordBytes) {
        HostileStream s = new HostileStream(seed, base, maxRecordBytes);
        while (s.out.size() < n) s.next();
        return s.out;
    }

    /** Tenants hash to partitions like nothing in the job does: by their index. */
    static int partitionOf(String tenant) {
        return Math.floorMod(tenant.hashCode(), PARTITIONS);
    }

    private String tenant() {
        int i = r.nextInt(40);
        String prefix = i < 4 ? "huge-" : i < 8 ? "tiny-" : i < 11 ? "int53-" : i < 14 ? "mixed-" : "t-";
        return prefix + i;
    }

    private double value(String tenant) {
        int k = 1 + r.nextInt(7);
        double sign = r.nextBoolean() ? 1 : -1;
        if (tenant.startsWith("huge-")) return sign * k * Math.scalb(1.0, 960);
        if (tenant.startsWith("tiny-")) return sign * k * Math.scalb(1.0, -1000);
        if (tenant.startsWith("int53-")) return r.nextBoolean() ? 9_007_199_254_740_991.0 : 9_007_199_254_740_992.0;
        if (tenant.startsWith("mixed-")) {
            return switch (r.nextInt(5)) {
                case 0 -> sign * k * Math.scalb(1.0, 900);
                case 1 -> sign * 1e-300 * k;
                case 2 -> 4_206_746_074_755_683.0;
                case 3 -> -2.70676096666635e+294;
                default -> r.nextInt(100_000) / 100.0;
            };
        }
        return r.nextInt(1_000_000) / 100.0; // prices with two decimals
    }

    private void next() {
        now += 10 + r.nextInt(31);
        int dice = r.nextInt(1000);
        if (dice < 600) valid(now - r.nextLong(0, 3_000), now, "in-order");
        else if (dice < 680) valid(now - r.nextLong(3_000, 20_000), now, "out-of-order");
        else if (dice < 720) valid(now - r.nextLong(40_000, 110_000), now, "late");
        else if (dice < 750) valid(now - r.nextLong(5 * MIN, HOUR), now, "too-late");
        else if (dice < 770) minuteBoundary();
        else if (dice < 800) fastClock();
        else if (dice < 830) duplicate();
        else if (dice < 850) futureBeyondLimit();
        else if (dice < 880) watermarkTrap();
        else bad();
    }

    private void valid(long ts, long createTime, String kind) {
        String tenant = tenant();
        String type = TYPES[r.nextInt(TYPES.length)];
        double v = value(tenant);
        boolean implicitOne = r.nextInt(20) == 0;
        String tsJson = timestamp(ts);
        Ev ev = new Ev(tenant, type, written(tsJson), implicitOne ? 1.0 : v);
        String json = "{" + (r.nextBoolean() ? "\"extra\":[1,{\"tenant_id\":\"decoy\"}]," : "")
                + "\"event_id\":\"" + id() + "\",\"tenant_id\":\"" + tenant + "\",\"event_type\":\"" + type + "\","
                + "\"timestamp\":" + tsJson + (implicitOne ? "" : ",\"value\":" + number(v))
                + ",\"schema_version\":1" + payload() + "}";
        Rec rec = new Rec(partitionOf(tenant), createTime, bytes(tenant), bytes(json), null, ev, kind);
        out.add(rec);
        valid.add(rec);
    }

    private String id() {
        return "ev-" + (seq++) + (r.nextInt(10) == 0 ? "-\u00fcn\u00efc\u00f8d\u00e9-\ud83d\ude00" : "");
    }

    /** Every form of a timestamp the contract accepts, for the same instant. */
    private String timestamp(long ts) {
        int form = r.nextInt(8);
        if (form == 0) return Long.toString(ts);
        int offsetMin = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 23 * 60 + 59;
            case 2 -> -(23 * 60 + 59);
            case 3 -> -(12 * 60 + 30);
            default -> r.nextInt(-14 * 60, 14 * 60 + 1);
        };
        var odt = java.time.LocalDateTime.ofInstant(Instant.ofEpochMilli(ts + offsetMin * 60_000L), ZoneOffset.UTC);
        String text = odt.format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT));
        int digits = r.nextInt(10); // 0..9 fraction digits; digits past the millisecond are noise and truncated
        if (digits > 0) {
            String frac = String.format(Locale.ROOT, "%03d", odt.getNano() / 1_000_000)
                    + String.format(Locale.ROOT, "%06d", r.nextInt(1_000_000));
            text += "."
                    + frac.substring(
                            0, digits); // fewer than 3 digits: the event is at the instant written (see written())
        }
        String off = offsetMin == 0 && r.nextBoolean()
                ? (r.nextBoolean() ? "Z" : "z")
                : offsetMin == 0 && r.nextBoolean()
                        ? "-00:00"
                        : String.format(
                                Locale.ROOT,
                                "%s%02d:%02d",
                                offsetMin < 0 ? "-" : "+",
                                Math.abs(offsetMin) / 60,
                                Math.abs(offsetMin) % 60);
        if (form == 1) text = text.replace('T', 't');
        return "\"" + text + off + "\"";
    }

    /** The instant a timestamp token denotes, by java.time (not the job's parser). */
    static long written(String token) {
        if (!token.startsWith("\"")) return Long.parseLong(token);
        String text = token.substring(1, token.length() - 1).toUpperCase(Locale.ROOT);
        // java.time takes offsets up to ±18:00 only, RFC 3339 up to ±23:59: apply the offset by hand
        int sign = text.endsWith("Z") ? 0 : text.charAt(text.length() - 6) == '-' ? -1 : 1;
        String local = sign == 0 ? text.substring(0, text.length() - 1) : text.substring(0, text.length() - 6);
        long offsetMs = sign == 0
                ? 0
                : sign
                        * (Integer.parseInt(text.substring(text.length() - 5, text.length() - 3)) * 3_600_000L
                                + Integer.parseInt(text.substring(text.length() - 2)) * 60_000L);
        return java.time.LocalDateTime.parse(local).toInstant(ZoneOffset.UTC).toEpochMilli() - offsetMs;
    }

    private String payload() {
        return switch (r.nextInt(4)) {
            case 0 -> "";
            case 1 -> ",\"payload\":{}";
            case 2 ->
                ",\"payload\":{\"tenant_id\":\"evil\",\"timestamp\":\"9999-12-31T23:59:59Z\",\"value\":1e308,"
                        + "\"schema_version\":99,\"\u043a\u043b\u044e\u0447\":\"\u5024\ud83d\ude00\",\"nested\":{\"payload\":[1,\"x\"]}}";
            default -> ",\"payload\":{\"user_id\":\"u" + r.nextInt(1000) + "\",\"tags\":[\"a\",\"\u00df\"],\"n\":null}";
        };
    }

    /** Events exactly on a minute's first and last millisecond. */
    private void minuteBoundary() {
        long m = Math.floorDiv(now - r.nextLong(0, 3 * MIN), MIN) * MIN;
        valid(r.nextBoolean() ? m : m + MIN - 1, now, "minute-boundary");
    }

    /** A producer whose clock is 40-59 minutes fast: event time and CreateTime both ahead (within max-future). */
    private void fastClock() {
        long skew = r.nextLong(40 * MIN, 59 * MIN);
        int run = r.nextInt(10) == 0 ? 2 + r.nextInt(3) : 1;
        for (int i = 0; i < run; i++) valid(now + skew + r.nextLong(0, 1000), now + skew, "fast-clock");
    }

    private void duplicate() {
        if (valid.isEmpty()) return;
        Rec d = valid.get(r.nextInt(Math.max(0, valid.size() - 200), valid.size()));
        Rec copy = new Rec(d.partition(), now, d.key(), d.value(), null, d.event(), "duplicate");
        out.add(copy);
    }

    /** Valid in every other way, but further ahead of its own CreateTime than max-future (1h). */
    private void futureBeyondLimit() {
        long ts = now + HOUR + r.nextLong(60_000, 3 * 24 * HOUR);
        String tenant = tenant();
        bad(
                tenant,
                "{\"event_id\":\"" + id() + "\",\"tenant_id\":\"" + tenant
                        + "\",\"event_type\":\"click\",\"timestamp\":" + ts + ",\"schema_version\":1}",
                "future_timestamp");
    }

    /** The two classes the review found loosely accepted, stamped hours to days ahead of the stream. */
    private void watermarkTrap() {
        long ts = now + r.nextLong(2 * HOUR, 3 * 24 * HOUR);
        String tenant = tenant();
        String common = "\"event_id\":\"" + id() + "\",\"tenant_id\":\"" + tenant
                + "\",\"event_type\":\"click\",\"schema_version\":1";
        switch (r.nextInt(3)) {
            case 0 ->
                bad(
                        tenant,
                        "{" + common + ",\"timestamp\":" + Math.min(ts, now + 30 * MIN) + ",\"payload\":\"text\"}",
                        "wrong_type");
            case 1 ->
                bad(
                        tenant,
                        "{" + common + ",\"timestamp\":" + Math.min(ts, now + 30 * MIN) + ",\"payload\":[1,2]}",
                        "wrong_type");
            default -> {
                String t = Instant.ofEpochMilli(Math.floorDiv(ts, 1000) * 1000)
                        .toString()
                        .replace("Z", ".Z");
                bad(tenant, "{" + common + ",\"timestamp\":\"" + t + "\"}", "invalid_timestamp");
            }
        }
    }

    private void bad() {
        String tenant = tenant();
        String ok = "\"event_id\":\"" + id() + "\",\"event_type\":\"click\",\"timestamp\":" + (now - 1000)
                + ",\"schema_version\":1";
        switch (r.nextInt(16)) {
            case 0 -> bad(tenant, "not json at all", "not_json");
            case 1 -> bad(tenant, "{\"tenant_id\":\"" + tenant + "\"," + ok, "not_json");
            case 2 -> bad(tenant, "[{\"tenant_id\":\"" + tenant + "\"," + ok + "}]", "not_object");
            case 3 -> bad(tenant, "{" + ok + "}", "missing_field");
            case 4 -> bad(tenant, "{\"tenant_id\":\"" + tenant + " x\"," + ok + "}", "invalid_tenant_id");
            case 5 -> bad(tenant, "{\"tenant_id\":\"" + tenant + "\",\"value\":1e400," + ok + "}", "non_finite_value");
            case 6 -> bad(tenant, "{\"tenant_id\":\"" + tenant + "\",\"value\":\"12\"," + ok + "}", "wrong_type");
            case 7 ->
                bad(
                        tenant,
                        "{\"tenant_id\":\"" + tenant + "\","
                                + ok.replace("\"schema_version\":1", "\"schema_version\":2") + "}",
                        "unknown_schema_version");
            case 8 -> bad(tenant, "{\"tenant_id\":\"" + tenant + "\",\"tenant_id\":\"t-0\"," + ok + "}", "not_json");
            case 9 ->
                bad(
                        tenant,
                        "{\"tenant_id\":\"" + tenant + "\",\"pad\":\"" + "x".repeat(maxRecordBytes) + "\"," + ok + "}",
                        "too_large");
            case 10 -> bad(tenant, "", "not_json");
            case 11 ->
                bad(
                        tenant,
                        "{\"tenant_id\":\"" + tenant + "\","
                                + ok.replace("\"timestamp\":" + (now - 1000), "\"timestamp\":\"2026-01-01T00:00:00\"")
                                + "}",
                        "invalid_timestamp");
            case 12 ->
                bad(
                        tenant,
                        "{\"tenant_id\":\"" + tenant + "\","
                                + ok.replace("\"timestamp\":" + (now - 1000), "\"timestamp\":\"2026-01-01 00:00:00Z\"")
                                + "}",
                        "invalid_timestamp");
            case 13 ->
                bad(
                        tenant,
                        "{\"tenant_id\":\"" + tenant + "\","
                                + ok.replace("\"event_id\":\"", "\"event_id\":\"" + "e".repeat(130)) + "}",
                        "invalid_event_id");
            case 14 ->
                bad(
                        tenant,
                        "{\"tenant_id\":\"" + tenant + "\","
                                + ok.replace("\"timestamp\":" + (now - 1000), "\"timestamp\":-5") + "}",
                        "invalid_timestamp");
            default -> bad(tenant, "{\"tenant_id\":\"" + tenant + "\",\"payload\":true," + ok + "}", "wrong_type");
        }
    }

    private void bad(String tenant, String json, String reason) {
        out.add(new Rec(partitionOf(tenant), now, bytes(tenant), bytes(json), reason, null, "bad:" + reason));
    }

    /** Shortest round-trip text, or an exact integer form for the 2^53 values (no exponent). */
    private String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e17) return Long.toString((long) v);
        return Double.toString(v);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
