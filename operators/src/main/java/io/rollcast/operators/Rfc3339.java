package io.rollcast.operators;

/**
 * Strict RFC 3339 date-time ({@code date-time} of section 5.6) to epoch milliseconds, without
 * allocating: {@code YYYY-MM-DDTHH:MM:SS}, an optional fraction of 1 to 9 digits, then {@code Z} or
 * {@code ±hh:mm}. {@code T} and {@code Z} may be lower case (the RFC allows it). Rejected: a
 * {@code .} without digits, more than 9 fraction digits, a missing offset, {@code ±hhmm} or
 * {@code ±hh}, a space instead of {@code T}, out-of-range fields (day 31 of a 30-day month,
 * 29 February of a common year, hour 24, second 60: leap seconds are not representable in epoch
 * milliseconds). Fraction digits past the millisecond are truncated (toward the past), as
 * {@link java.time.Instant#toEpochMilli()} does.
 */
final class Rfc3339 {
    /** Returned for text that is not an RFC 3339 date-time. */
    static final long INVALID = Long.MIN_VALUE;

    private Rfc3339() {}

    static long parseMillis(String s) {
        int n = s.length();
        if (n < 20) return INVALID;
        int year = digits(s, 0, 4);
        if (year < 0 || s.charAt(4) != '-') return INVALID;
        int month = digits(s, 5, 2);
        if (month < 1 || month > 12 || s.charAt(7) != '-') return INVALID;
        int day = digits(s, 8, 2);
        if (day < 1 || day > daysInMonth(year, month)) return INVALID;
        char t = s.charAt(10);
        if (t != 'T' && t != 't') return INVALID;
        int hour = digits(s, 11, 2);
        if (hour < 0 || hour > 23 || s.charAt(13) != ':') return INVALID;
        int minute = digits(s, 14, 2);
        if (minute < 0 || minute > 59 || s.charAt(16) != ':') return INVALID;
        int second = digits(s, 17, 2);
        if (second < 0 || second > 59) return INVALID;
        int i = 19;
        int millis = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
            int count = i - start;
            if (count < 1 || count > 9) return INVALID;
            for (int k = 0; k < 3; k++) millis = millis * 10 + (start + k < i ? s.charAt(start + k) - '0' : 0);
        }
        if (i >= n) return INVALID;
        int offsetSeconds;
        char z = s.charAt(i);
        if (z == 'Z' || z == 'z') {
            offsetSeconds = 0;
            i++;
        } else if (z == '+' || z == '-') {
            if (n - i != 6) return INVALID;
            int oh = digits(s, i + 1, 2);
            if (oh < 0 || oh > 23 || s.charAt(i + 3) != ':') return INVALID;
            int om = digits(s, i + 4, 2);
            if (om < 0 || om > 59) return INVALID;
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
            i += 6;
        } else {
            return INVALID;
        }
        if (i != n) return INVALID;
        long days = daysFromCivil(year, month, day);
        long secs = days * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return secs * 1000L + millis;
    }

    /** The non-negative value of {@code len} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int k = from; k < from + len; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long daysFromCivil(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
