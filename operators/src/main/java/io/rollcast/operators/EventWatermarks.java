package io.rollcast.operators;

import io.rollcast.model.Ingested;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;

/**
 * The one watermark strategy of the job, reused by tests: each partition's watermark is its {@link
 * PartitionClock} (a few far-ahead events do not move it) minus the out-of-orderness bound;
 * idleness so a quiet partition does not stall every window; optional watermark alignment so that
 * during a backfill a fast partition cannot run far ahead of the others (bounding open windows).
 *
 * <p>Applied inside the Kafka source, so watermarks are generated per partition. Rejected records
 * carry no event time, never move a watermark and do not count as activity: a partition that only
 * receives bad records goes idle like a silent one. Idleness is measured on Flink's input activity
 * clock, which stops while the source is back-pressured or paused by alignment.
 */
public final class EventWatermarks implements WatermarkStrategy<Ingested> {
    private static final long serialVersionUID = 1L;

    private final int confirmations;
    private final long maxOutOfOrdernessMs;
    private final Duration idleness;

    private EventWatermarks(int confirmations, Duration maxOutOfOrderness, Duration idleness) {
        this.confirmations = confirmations;
        this.maxOutOfOrdernessMs = maxOutOfOrderness.toMillis();
        this.idleness = idleness;
    }

    /**
     * @param confirmations events that must agree before a partition's time moves ({@link PartitionClock})
     * @param maxOutOfOrderness how far behind the partition's time the watermark trails
     * @param idleness a partition without valid events for this long stops holding the watermark back; zero disables
     * @param alignmentMaxDrift maximum watermark drift between splits of the group; zero disables alignment
     * @param alignmentUpdateInterval how often split watermarks are exchanged for alignment
     */
    public static WatermarkStrategy<Ingested> forIngested(
            int confirmations,
            Duration maxOutOfOrderness,
            Duration idleness,
            Duration alignmentMaxDrift,
            Duration alignmentUpdateInterval) {
        WatermarkStrategy<Ingested> s = new EventWatermarks(confirmations, maxOutOfOrderness, idleness);
        if (!alignmentMaxDrift.isZero()) {
            s = s.withWatermarkAlignment("rollcast-events", alignmentMaxDrift, alignmentUpdateInterval);
        }
        return s;
    }

    @Override
    public TimestampAssigner<Ingested> createTimestampAssigner(TimestampAssignerSupplier.Context ctx) {
        return (r, previous) -> r.isValid() ? r.event().timestamp() : Long.MIN_VALUE;
    }

    @Override
    public WatermarkGenerator<Ingested> createWatermarkGenerator(WatermarkGeneratorSupplier.Context ctx) {
        WatermarkGenerator<Ingested> g = new ClockWatermarks(new PartitionClock(confirmations), maxOutOfOrdernessMs);
        if (!idleness.isZero()) g = new WatermarksWithIdleness<>(g, idleness, ctx.getInputActivityClock());
        return new ValidOnly(g);
    }

    /** One partition's watermark from its clock. */
    private static final class ClockWatermarks implements WatermarkGenerator<Ingested> {
        private final PartitionClock clock;
        private final long maxOutOfOrdernessMs;

        ClockWatermarks(PartitionClock clock, long maxOutOfOrdernessMs) {
            this.clock = clock;
            this.maxOutOfOrdernessMs = maxOutOfOrdernessMs;
        }

        @Override
        public void onEvent(Ingested r, long timestamp, WatermarkOutput out) {
            clock.add(timestamp);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {
            long wm = clock.watermark(maxOutOfOrdernessMs);
            if (wm != Long.MIN_VALUE) out.emitWatermark(new Watermark(wm));
        }
    }

    /** Hides rejected records from the generator: they neither move time nor count as activity. */
    private static final class ValidOnly implements WatermarkGenerator<Ingested> {
        private final WatermarkGenerator<Ingested> inner;

        ValidOnly(WatermarkGenerator<Ingested> inner) {
            this.inner = inner;
        }

        @Override
        public void onEvent(Ingested r, long timestamp, WatermarkOutput out) {
            if (r.isValid()) inner.onEvent(r, timestamp, out);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {
            inner.onPeriodicEmit(out);
        }
    }
}
