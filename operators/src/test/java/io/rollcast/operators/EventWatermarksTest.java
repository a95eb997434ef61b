package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.RejectReason;
import io.rollcast.model.Rejected;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

class EventWatermarksTest {
    private final ManualClock clock = new ManualClock();

    private final class Out implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark w) {
            watermarks.add(w.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    private WatermarkGenerator<Ingested> generator(int confirm, Duration idleness) {
        return EventWatermarks.forIngested(
                        confirm, Duration.ofSeconds(5), idleness, Duration.ZERO, Duration.ofSeconds(1))
                .createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return new UnregisteredMetricsGroup();
                    }

                    @Override
                    public RelativeClock getInputActivityClock() {
                        return clock;
                    }
                });
    }

    private static Ingested valid(long ts) {
        return Ingested.of(new Event("e" + ts, "t", "x", ts, 1));
    }

    private static Ingested rejected() {
        return Ingested.of(new Rejected(RejectReason.NOT_JSON, "bad", null, new byte[] {1}, "events", 0, 0));
    }

    @Test
    void aPartitionThatOnlyReceivesRejectedRecordsGoesIdle() {
        WatermarkGenerator<Ingested> g = generator(1, Duration.ofSeconds(30));
        Out out = new Out();
        g.onEvent(valid(100_000), 100_000, out);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        for (int i = 0; i < 40; i++) {
            clock.advanceTime(Duration.ofSeconds(1));
            g.onEvent(rejected(), Long.MIN_VALUE, out); // bad records keep arriving
            g.onPeriodicEmit(out);
        }
        assertThat(out.idle)
                .as("no valid event for 40 s: idle, whatever bad records arrived")
                .isTrue();
        g.onEvent(valid(200_000), 200_000, out);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
    }

    @Test
    void rejectedRecordsNeverMoveTheWatermarkAndAFewFarAheadEventsDoNot() {
        WatermarkGenerator<Ingested> g = generator(3, Duration.ZERO);
        Out out = new Out();
        for (long ts = 0; ts < 10_000; ts += 1000) g.onEvent(valid(ts), ts, out);
        g.onEvent(rejected(), Long.MIN_VALUE, out);
        g.onEvent(valid(5 * 86_400_000L), 5 * 86_400_000L, out); // a fast clock, days ahead
        g.onEvent(valid(5 * 86_400_000L + 1), 5 * 86_400_000L + 1, out);
        g.onPeriodicEmit(out);
        assertThat(out.watermarks).last().isEqualTo(9000L - 5000 - 1);
    }
}
