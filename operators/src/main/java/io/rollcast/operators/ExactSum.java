package io.rollcast.operators;

import java.util.Arrays;

/**
 * Exact summation of doubles (Shewchuk's non-overlapping partials, as in Python's {@code math.fsum}).
 *
 * <p>The partials represent the sum with no rounding error, so the result does not depend on the
 * order in which values or panes are combined, and {@link #round} returns the exact sum rounded once
 * (to nearest, ties to even). Values of one window usually need one to three partials. Sums whose
 * magnitude overflows a double are not supported.
 */
public final class ExactSum {
    private ExactSum() {}

    /** Returns the partials of {@code partials + x}; may return {@code partials} itself, updated. */
    public static double[] add(double[] partials, double x) {
        int i = 0;
        int n = partials.length;
        double[] out = partials;
        for (int j = 0; j < n; j++) {
            double y = out[j];
            if (Math.abs(x) < Math.abs(y)) {
                double t = x;
                x = y;
                y = t;
            }
            double hi = x + y;
            double lo = y - (hi - x);
            if (lo != 0.0) {
                out[i++] = lo;
            }
            x = hi;
        }
        if (i < out.length) {
            out[i++] = x;
            return i == out.length ? out : Arrays.copyOf(out, i);
        }
        double[] grown = Arrays.copyOf(out, i + 1);
        grown[i] = x;
        return grown;
    }

    /** Returns the partials of {@code a + b}; {@code a} may be reused. */
    public static double[] addAll(double[] a, double[] b) {
        double[] out = a;
        for (double x : b) {
            out = add(out, x);
        }
        return out;
    }

    /** The exact sum, rounded once to the nearest double (ties to even). */
    public static double round(double[] partials) {
        int n = partials.length;
        if (n == 0) return 0.0;
        double hi = partials[--n];
        double lo = 0.0;
        while (n > 0) {
            double x = hi;
            double y = partials[--n];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0) break;
        }
        if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
            double y = lo * 2;
            double x = hi + y;
            double yr = x - hi;
            if (y == yr) hi = x;
        }
        return hi;
    }
}
