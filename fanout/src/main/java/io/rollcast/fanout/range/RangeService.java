package io.rollcast.fanout.range;

import io.rollcast.model.WindowRow;
import io.rollcast.store.ColdStore;
import io.rollcast.store.RollupQuery;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The rows of {@code GET /v1/rollups}: a bounded range of one tenant's windows of one spec, paged,
 * from the hot store (Postgres or ClickHouse) and the cold Parquet files ({@code cold.path}).
 *
 * <p>Which source answers: with a cold path, windows that start before {@code now - api.hot-retention
 * + 1 day} are read from Parquet and those from {@code now - api.hot-retention - 1 day} on from the
 * store; in the two days where both are read (the store's retention runs once in a while, the cold
 * files lag the store by a flush and a checkpoint) each window's highest version wins, as everywhere
 * in the changelog. Without a cold path the store answers the whole range.
 *
 * <p>Paging: rows are ordered by (window start, event type); a page token is the window start of the
 * page's last row and how many rows at that start were returned, so the next page resumes there
 * with no row skipped or repeated while the range's content is stable (closed windows). Each source
 * is asked for at most {@code limit + skip + 1} rows; a source that returned that many bounds what is
 * certain in the merge, and a page never goes past it.
 */
public final class RangeService {
    static final long DAY_MS = 86_400_000L;

    /** A validated request; {@code cursor} null for the first page. */
    public record Request(
            String tenant, String spec, Optional<String> eventType, long from, long to, int limit, Cursor cursor) {}

    /** Where a page starts: the window start of the last row returned and how many rows at that start were. */
    public record Cursor(long windowStart, int skip) {
        public String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(("1:" + windowStart + ":" + skip).getBytes(StandardCharsets.US_ASCII));
        }

        /** The cursor of a token; {@link IllegalArgumentException} for anything not made by {@link #encode}. */
        public static Cursor decode(String token) {
            try {
                String[] p = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split(":");
                if (p.length != 3 || !p[0].equals("1")) throw new IllegalArgumentException();
                Cursor c = new Cursor(Long.parseLong(p[1]), Integer.parseInt(p[2]));
                if (c.skip < 0 || c.windowStart < 0) throw new IllegalArgumentException();
                return c;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed page_token");
            }
        }
    }

    /** A page: its rows, the next page's cursor (null on the last), and how many rows each source gave. */
    public record Page(List<WindowRow> rows, Cursor next, int hotRows, int coldRows) {}

    private static final Comparator<WindowRow> ORDER =
            Comparator.comparingLong(WindowRow::windowStart).thenComparing(WindowRow::eventType);

    private final RollupQuery hot;
    private final ColdStore cold;
    private final long hotRetentionMs;
    private final Clock clock;

    /** @param cold the cold files, or null without a cold path */
    public RangeService(RollupQuery hot, ColdStore cold, Duration hotRetention, Clock clock) {
        this.hot = hot;
        this.cold = cold;
        this.hotRetentionMs = hotRetention.toMillis();
        this.clock = clock;
    }

    public boolean hasCold() {
        return cold != null;
    }

    public Page read(Request r) {
        long start =
                r.cursor() == null ? r.from() : Math.max(r.from(), r.cursor().windowStart());
        int skip = r.cursor() == null || r.cursor().windowStart() < r.from()
                ? 0
                : r.cursor().skip();
        int want = (int) Math.min(Integer.MAX_VALUE - 1L, (long) r.limit() + skip + 1);
        long boundary = clock.millis() - hotRetentionMs;
        List<WindowRow> coldRows = List.of();
        long hotFrom = start;
        if (cold != null) {
            long coldTo = Math.min(r.to(), boundary + DAY_MS);
            if (start < coldTo) coldRows = cold.windows(r.tenant(), r.spec(), r.eventType(), start, coldTo, want);
            hotFrom = Math.max(start, boundary - DAY_MS);
        }
        List<WindowRow> hotRows =
                hotFrom < r.to() ? hot.windows(r.tenant(), r.spec(), r.eventType(), hotFrom, r.to(), want) : List.of();

        // the merge is exact up to the last row of any source that may have more
        WindowRow bound = null;
        for (List<WindowRow> part : List.of(hotRows, coldRows)) {
            if (part.size() >= want) {
                WindowRow last = part.get(part.size() - 1);
                if (bound == null || ORDER.compare(last, bound) < 0) bound = last;
            }
        }
        TreeMap<WindowRow, WindowRow> merged = new TreeMap<>(ORDER);
        TreeMap<WindowRow, Boolean> fromCold = new TreeMap<>(ORDER);
        for (WindowRow c : coldRows) {
            merged.put(c, c);
            fromCold.put(c, true);
        }
        for (WindowRow h : hotRows) {
            WindowRow c = merged.get(h);
            if (c == null || h.version() >= c.version()) {
                merged.put(h, h);
                fromCold.put(h, false);
            }
        }
        List<WindowRow> rows = new ArrayList<>(Math.min(merged.size(), r.limit()));
        int skipped = 0, hotCount = 0, coldCount = 0;
        boolean more = false;
        for (WindowRow w : merged.values()) {
            if (bound != null && ORDER.compare(w, bound) > 0) {
                more = true;
                break;
            }
            if (skipped < skip && w.windowStart() == start) {
                skipped++;
                continue;
            }
            if (rows.size() == r.limit()) {
                more = true;
                break;
            }
            rows.add(w);
            if (fromCold.get(w)) coldCount++;
            else hotCount++;
        }
        Cursor next = null;
        if (more && !rows.isEmpty()) {
            long last = rows.get(rows.size() - 1).windowStart();
            int atLast = 0;
            for (WindowRow w : rows) if (w.windowStart() == last) atLast++;
            if (last == start) atLast += skipped;
            next = new Cursor(last, atLast);
        }
        return new Page(rows, next, hotCount, coldCount);
    }
}
