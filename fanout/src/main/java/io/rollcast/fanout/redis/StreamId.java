package io.rollcast.fanout.redis;

/**
 * A Redis stream entry id {@code <ms>-<seq>}, ordered as Redis orders them (sequence unsigned).
 * {@link #ZERO} ({@code 0-0}) is before every entry.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
    public static final StreamId ZERO = new StreamId(0, 0);

    /** Parses {@code 1700000000000-3}, or {@code 0} for {@link #ZERO}; throws {@link IllegalArgumentException}. */
    public static StreamId parse(String s) {
        if (s.equals("0")) return ZERO;
        int dash = s.indexOf('-');
        if (dash <= 0 || dash == s.length() - 1) throw new IllegalArgumentException("not a stream id: " + s);
        try {
            return new StreamId(Long.parseLong(s, 0, dash, 10), Long.parseUnsignedLong(s.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a stream id: " + s);
        }
    }

    /** The smallest id after this one (for an inclusive XRANGE start). */
    public StreamId next() {
        return seq == -1L ? new StreamId(ms + 1, 0) : new StreamId(ms, seq + 1);
    }

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compare(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    public boolean isAfter(StreamId o) {
        return compareTo(o) > 0;
    }

    @Override
    public String toString() {
        return ms + "-" + Long.toUnsignedString(seq);
    }
}
