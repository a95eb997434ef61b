package io.rollcast.operators;

import io.rollcast.model.Ingested;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/**
 * The one watermark strategy of the job, reused by tests: bounded out-of-orderness on validated
 * event timestamps, idleness so a quiet partition does not stall every window, and optional
 * watermark alignment so that during a backfill a fast partition cannot run far ahead of the others
 * (which would make their events late).
 *
 * <p>Applied inside the Kafka source, so watermarks are generated per partition. Rejected records
 * carry no event time and never move a watermark.
 */
public final class EventWatermarks {
    private EventWatermarks() {}

    /**
     * @param maxOutOfOrderness how far behind the largest timestamp seen the watermark trails
     * @param idleness a partition without records for this long stops holding the watermark back; zero disables
     * @param alignmentMaxDrift maximum watermark drift between splits of the group; zero disables alignment
     * @param alignmentUpdateInterval how often split watermarks are exchanged for alignment
     */
    public static WatermarkStrategy<Ingested> forIngested(
            Duration maxOutOfOrderness,
            Duration idleness,
            Duration alignmentMaxDrift,
            Duration alignmentUpdateInterval) {
        WatermarkStrategy<Ingested> s = WatermarkStrategy.<Ingested>forBoundedOutOfOrderness(maxOutOfOrderness)
                .withTimestampAssigner((r, previous) -> r.isValid() ? r.event().timestamp() : Long.MIN_VALUE);
        if (!idleness.isZero()) {
            s = s.withIdleness(idleness);
        }
        if (!alignmentMaxDrift.isZero()) {
            s = s.withWatermarkAlignment("rollcast-events", alignmentMaxDrift, alignmentUpdateInterval);
        }
        return s;
    }
}
