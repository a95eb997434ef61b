package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Event;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowDelta;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DeltaEmitterTest {
    private static final long MIN = 60_000L;
    private static final WindowSpec T1M = WindowSpec.parse("tumbling 1m");
    private static final WindowSpec T10M = WindowSpec.parse("tumbling 10m");
    private static final WindowSpec S3M = WindowSpec.parse("sliding 3m/1m");

    private static KeyedOneInputStreamOperatorTestHarness<String, WindowRow, WindowDelta> harness(DeltaEmitter fn)
            throws Exception {
        // the job's operator, with a cache of 2 entries so that flush-and-evict happens all the time
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new DeltaEmitterOperator(fn, 2), WindowRow::rollupKey, Types.STRING);
        h.open();
        return h;
    }

    private static WindowRow row(
            String spec, long start, long end, long count, double sum, double min, double max, Kind kind) {
        return new WindowRow(
                "acme",
                "click",
                spec,
                start,
                end,
                count,
                sum,
                min,
                max,
                kind,
                WindowRow.version(count, kind != Kind.EARLY),
                1_000);
    }

    private static WindowRow row1m(long start, long count, double sum, double min, double max, Kind kind) {
        return row("tumbling-1m", start, start + MIN, count, sum, min, max, kind);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, WindowRow, WindowDelta> h, WindowRow r)
            throws Exception {
        h.processElement(new StreamRecord<>(r, r.windowEnd() - 1));
    }

    private static List<WindowDelta> out(KeyedOneInputStreamOperatorTestHarness<String, WindowRow, WindowDelta> h) {
        List<WindowDelta> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    @Test
    void firstRowOfAWindowIsItsOwnChangeFromVersionZero() throws Exception {
        var h = harness(new DeltaEmitter(List.of(T1M), Duration.ZERO));
        send(h, row1m(0, 2, 5.0, 1.0, 4.0, Kind.EARLY));
        assertThat(out(h)).singleElement().satisfies(d -> {
            assertThat(d.prevVersion()).isZero();
            assertThat(d.version()).isEqualTo(4);
            assertThat(d.kind()).isEqualTo(Kind.EARLY);
            assertThat(List.of(d.count(), d.sum(), d.min(), d.max())).containsExactly(2L, 5.0, 1.0, 4.0);
            assertThat(List.of(d.dCount(), d.dSum(), d.dMin(), d.dMax())).containsExactly(2L, 5.0, 1.0, 4.0);
            assertThat(List.of(d.tenantId(), d.eventType(), d.spec())).containsExactly("acme", "click", "tumbling-1m");
            assertThat(List.of(d.windowStart(), d.windowEnd(), d.emittedAt())).containsExactly(0L, MIN, 1_000L);
        });
    }

    @Test
    void emitsTheChangeSinceTheLastRowOfTheSameWindow() throws Exception {
        var h = harness(new DeltaEmitter(List.of(T1M), Duration.ZERO));
        send(h, row1m(0, 2, 5.0, 1.0, 4.0, Kind.EARLY));
        send(h, row1m(0, 5, 12.5, -2.0, 4.0, Kind.EARLY));
        send(h, row1m(0, 6, 20.5, -2.0, 8.0, Kind.FINAL));
        List<WindowDelta> d = out(h);
        assertThat(d)
                .extracting(WindowDelta::prevVersion, WindowDelta::version)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0L, 4L),
                        org.assertj.core.groups.Tuple.tuple(4L, 10L),
                        org.assertj.core.groups.Tuple.tuple(10L, 13L));
        assertThat(d.get(1))
                .extracting(WindowDelta::dCount, WindowDelta::dSum, WindowDelta::dMin, WindowDelta::dMax)
                .containsExactly(3L, 7.5, -3.0, 0.0);
        assertThat(d.get(2))
                .extracting(WindowDelta::dCount, WindowDelta::dSum, WindowDelta::dMin, WindowDelta::dMax)
                .containsExactly(1L, 8.0, 0.0, 4.0);
    }

    @Test
    void dropsRowsWhoseVersionIsNotHigherThanTheLastEmitted() throws Exception {
        var h = harness(new DeltaEmitter(List.of(T1M), Duration.ZERO));
        WindowRow early = row1m(0, 2, 5.0, 1.0, 4.0, Kind.EARLY);
        WindowRow fin = row1m(0, 3, 6.0, 1.0, 4.0, Kind.FINAL);
        send(h, early);
        send(h, fin);
        // a replay after a restore repeats rows that were already emitted
        send(h, early);
        send(h, fin);
        send(h, row1m(0, 3, 6.0, 1.0, 4.0, Kind.EARLY));
        assertThat(out(h)).extracting(WindowDelta::version).containsExactly(4L, 7L);
    }

    @Test
    void aFinalRowWithUnchangedContentPassesWithZeroChange() throws Exception {
        var h = harness(new DeltaEmitter(List.of(T1M), Duration.ZERO));
        send(h, row1m(0, 2, 5.0, 1.0, 4.0, Kind.EARLY));
        send(h, row1m(0, 2, 5.0, 1.0, 4.0, Kind.FINAL));
        assertThat(out(h)).last().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Kind.FINAL);
            assertThat(d.prevVersion()).isEqualTo(4);
            assertThat(d.version()).isEqualTo(5);
            assertThat(List.of(d.dCount(), d.dSum(), d.dMin(), d.dMax())).containsExactly(0L, 0.0, 0.0, 0.0);
        });
    }

    @Test
    void windowsOfOtherSpecsStartsAndKeysAreTrackedApart() throws Exception {
        var h = harness(new DeltaEmitter(List.of(T1M, S3M), Duration.ZERO));
        send(h, row1m(0, 1, 1.0, 1.0, 1.0, Kind.EARLY));
        send(h, row("sliding-3m-1m", -2 * MIN, MIN, 1, 1.0, 1.0, 1.0, Kind.EARLY)); // same end, other spec
        send(h, row1m(MIN, 1, 1.0, 1.0, 1.0, Kind.EARLY));
        h.processElement(new StreamRecord<>(
                new WindowRow("other", "click", "tumbling-1m", 0, MIN, 1, 1.0, 1.0, 1.0, Kind.EARLY, 2, 1_000),
                MIN - 1));
        send(h, row1m(0, 2, 3.0, 1.0, 2.0, Kind.EARLY));
        List<WindowDelta> d = out(h);
        assertThat(d).extracting(WindowDelta::prevVersion).containsExactly(0L, 0L, 0L, 0L, 2L);
        assertThat(d.get(4).dCount()).isEqualTo(1);
    }

    @Test
    void stateAndTimersAreClearedWhenTheWindowCanNoLongerChange() throws Exception {
        Duration lateness = Duration.ofMinutes(5);
        var h = harness(new DeltaEmitter(List.of(T1M), lateness));
        send(h, row1m(0, 1, 1.0, 1.0, 1.0, Kind.EARLY));
        send(h, row1m(0, 1, 1.0, 1.0, 1.0, Kind.FINAL));
        h.prepareSnapshotPreBarrier(1); // what a checkpoint holds: the write-back cache is flushed first
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        h.processWatermark(MIN - 1 + lateness.toMillis() - 1); // a late row may still come
        h.prepareSnapshotPreBarrier(2);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        send(h, row1m(0, 2, 3.0, 1.0, 2.0, Kind.LATE));
        assertThat(out(h))
                .last()
                .extracting(WindowDelta::prevVersion, WindowDelta::dCount)
                .containsExactly(3L, 1L);

        h.processWatermark(MIN - 1 + lateness.toMillis()); // end + lateness: the rollups purge the window too
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void retentionCoversTheLastPaneOfTheLargestSpec() {
        assertThat(DeltaEmitter.retention(List.of(T1M), Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
        assertThat(DeltaEmitter.retention(List.of(T1M, WindowSpec.parse("sliding 60m/1m")), Duration.ofMinutes(5)))
                .isEqualTo(Duration.ofMinutes(64));
    }

    // ------------------------------------------------------------ fed by the real rollups

    /** WindowRollups -> DeltaEmitter, records and watermarks in the order the rollups forward them. */
    private static final class Chain {
        final KeyedOneInputStreamOperatorTestHarness<String, Event, WindowRow> rollups;
        final KeyedOneInputStreamOperatorTestHarness<String, WindowRow, WindowDelta> deltas;
        private int seq;

        Chain(List<WindowSpec> specs, Duration lateness, DeltaEmitter emitter) throws Exception {
            rollups = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(
                            new WindowRollups(specs, lateness, Duration.ofSeconds(1), Duration.ZERO, 1000)),
                    Event::rollupKey,
                    Types.STRING);
            rollups.open();
            deltas = harness(emitter);
        }

        void event(String type, long ts, double value) throws Exception {
            rollups.processElement(new StreamRecord<>(new Event("e" + seq++, "acme", type, ts, value), ts));
            forward();
        }

        void watermark(long wm) throws Exception {
            rollups.processWatermark(wm);
            forward();
        }

        void tick(long now) throws Exception {
            rollups.setProcessingTime(now);
            forward();
        }

        @SuppressWarnings("unchecked")
        private void forward() throws Exception {
            for (Object o : rollups.getOutput()) {
                if (o instanceof StreamRecord<?> r) {
                    deltas.processElement((StreamRecord<WindowRow>) r);
                } else if (o instanceof Watermark w) {
                    deltas.processWatermark(w);
                }
            }
            rollups.getOutput().clear();
        }
    }

    @Test
    void aLateCorrectionAfterTheWatermarkPassedEndPlusLatenessStillFindsThePreviousRow() throws Exception {
        // specs 1m and 10m: after the 1m final, the rollups' next timer for the pane is the 10m end, so a
        // late row for the 1m window can follow a watermark beyond 1m-end + lateness
        List<WindowSpec> specs = List.of(T1M, T10M);
        Duration lateness = Duration.ofMinutes(1);
        for (boolean naive : new boolean[] {false, true}) {
            // naive: a retention of end + lateness only, as if the 1m spec were alone
            Chain c = new Chain(specs, lateness, new DeltaEmitter(naive ? List.of(T1M) : specs, lateness));
            c.event("click", 30_000, 1);
            c.watermark(MIN - 1); // final of [0, 1m): count 1, version 3
            c.watermark(90_000);
            c.event("click", 40_000, 2); // late, accepted: its pane closes for good at 2m - 1
            c.watermark(200_000); // past 1m-end + lateness, no timer of the key in between
            c.tick(1_000); // the late row goes out now
            List<WindowDelta> late = c.deltas.extractOutputValues().stream()
                    .filter(d -> d.kind() == Kind.LATE && d.spec().equals("tumbling-1m"))
                    .toList();
            assertThat(late).singleElement().satisfies(d -> {
                assertThat(d.count()).isEqualTo(2);
                if (naive) {
                    assertThat(d.prevVersion())
                            .as("naive retention lost the final row")
                            .isZero();
                } else {
                    assertThat(d.prevVersion()).isEqualTo(3);
                    assertThat(d.dCount()).isEqualTo(1);
                    assertThat(d.dSum()).isEqualTo(2.0);
                }
            });
        }
    }

    @Test
    void deltasOfTheRollupsFormAnUnbrokenChainPerWindowAndLeaveNoState() throws Exception {
        List<WindowSpec> specs = List.of(T1M, S3M, T10M);
        Duration lateness = Duration.ofMinutes(2);
        Chain c = new Chain(specs, lateness, new DeltaEmitter(specs, lateness));
        var rnd = new SplittableRandom(3);
        long maxTs = 0, now = 0;
        for (int i = 0; i < 4_000; i++) {
            long base = i * 500L;
            long ts = switch (rnd.nextInt(25)) {
                case 0 -> base - rnd.nextLong(30_000, 200_000); // late or too late
                case 1, 2 -> base - rnd.nextLong(0, 10_000);
                default -> base;
            };
            c.event("k" + rnd.nextInt(3), Math.max(0, ts), rnd.nextInt(-40, 40) / 4.0);
            maxTs = Math.max(maxTs, ts);
            if (rnd.nextInt(15) == 0) c.watermark(maxTs - 15_000 + rnd.nextLong(0, 200_000)); // sometimes far ahead
            if (rnd.nextInt(9) == 0) c.tick(now += 1000);
        }
        c.tick(now + 1000);
        c.watermark(Long.MAX_VALUE);

        List<WindowDelta> all = c.deltas.extractOutputValues();
        Map<String, WindowDelta> lastOf = new HashMap<>();
        long late = 0;
        for (WindowDelta d : all) {
            WindowDelta prev = lastOf.put(d.windowKey(), d);
            assertThat(d.prevVersion()).as(d.toString()).isEqualTo(prev == null ? 0 : prev.version());
            assertThat(d.version()).isGreaterThan(d.prevVersion());
            assertThat(d.dCount()).isEqualTo(d.count() - (prev == null ? 0 : prev.count()));
            if (d.kind() == Kind.LATE) late++;
        }
        assertThat(late).isGreaterThan(100);
        assertThat(c.deltas.numKeyedStateEntries()).isZero();
        assertThat(c.deltas.numEventTimeTimers()).isZero();
    }
}
