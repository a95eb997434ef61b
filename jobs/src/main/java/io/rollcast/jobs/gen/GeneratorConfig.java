package io.rollcast.jobs.gen;

import java.io.Serializable;

/**
 * Shape of a generated event stream. Fractions are per record; the rest are in-order valid events.
 *
 * <p>Event time advances by {@code 1000 / eventsPerSecond} ms per record from {@code startMs}
 * (event-time density; the wall-clock rate is the producer's business). Delays are relative to
 * that base time. The defaults fit the job's defaults (5 s out-of-orderness, 5 m lateness,
 * 1 m panes): out-of-order events stay within the watermark bound, late events within the
 * lateness, too-late events far beyond it.
 */
public record GeneratorConfig(
        long seed,
        int tenants,
        int eventTypes,
        long startMs,
        double eventsPerSecond,
        double outOfOrderFraction,
        long maxDisorderMs,
        double lateFraction,
        long lateMinMs,
        long lateMaxMs,
        double tooLateFraction,
        long tooLateMinMs,
        long tooLateMaxMs,
        double badFraction,
        double duplicateFraction)
        implements Serializable {

    public GeneratorConfig {
        if (tenants <= 0 || eventTypes <= 0)
            throw new IllegalArgumentException("tenants and event types must be positive");
        if (eventsPerSecond <= 0) throw new IllegalArgumentException("events per second must be positive");
        double f = outOfOrderFraction + lateFraction + tooLateFraction + badFraction + duplicateFraction;
        if (f > 1.0
                || outOfOrderFraction < 0
                || lateFraction < 0
                || tooLateFraction < 0
                || badFraction < 0
                || duplicateFraction < 0) {
            throw new IllegalArgumentException("fractions must be non-negative and sum to at most 1");
        }
    }

    /** 100 tenants x 5 types, 20 % out of order, 2 % late, 1 % too late, 1 % bad, 1 % duplicates. */
    public static GeneratorConfig mixed(long seed, long startMs) {
        return new GeneratorConfig(
                seed, 100, 5, startMs, 50, 0.20, 4_000, 0.02, 35_000, 180_000, 0.01, 480_000, 2_100_000, 0.01, 0.01);
    }

    /** Only in-order valid events. */
    public static GeneratorConfig clean(long seed, int tenants, int types, long startMs, double eventsPerSecond) {
        return new GeneratorConfig(seed, tenants, types, startMs, eventsPerSecond, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public GeneratorConfig withStart(long start) {
        return new GeneratorConfig(
                seed,
                tenants,
                eventTypes,
                start,
                eventsPerSecond,
                outOfOrderFraction,
                maxDisorderMs,
                lateFraction,
                lateMinMs,
                lateMaxMs,
                tooLateFraction,
                tooLateMinMs,
                tooLateMaxMs,
                badFraction,
                duplicateFraction);
    }
}
