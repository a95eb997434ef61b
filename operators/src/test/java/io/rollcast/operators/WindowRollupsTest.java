package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Event;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class WindowRollupsTest {
    private static final long MIN = 60_000L;
    private static final WindowSpec T1M = WindowSpec.parse("tumbling 1m");
    private static final WindowSpec S3M = WindowSpec.parse("sliding 3m/1m");

    private int seq;

    private Event ev(String type, long ts, double value) {
        return new Event("e" + (seq++), "acme", type, ts, value);
    }

    /** The job's operator, with a pane cache of 2 so that eviction (flush and empty) happens all the time. */
    private static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowRow> harness(WindowRollups fn)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new WindowRollupsOperator(fn, 2), Event::rollupKey, Types.STRING);
        h.open();
        return h;
    }

    private static WindowRollups rollups(List<WindowSpec> specs, Duration lateness, Duration early) {
        return new WindowRollups(specs, lateness, early, Duration.ZERO, 1000);
    }

    private static List<WindowRow> rows(KeyedOneInputStreamOperatorTestHarness<String, Event, WindowRow> h) {
        List<WindowRow> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    private void send(KeyedOneInputStreamOperatorTestHarness<String, Event, WindowRow> h, Event e) throws Exception {
        h.processElement(new StreamRecord<>(e, e.timestamp()));
    }

    @Test
    void emitsFinalRowsWhenTheWatermarkPassesWindowEnds() throws Exception {
        var h = harness(rollups(List.of(T1M, S3M), Duration.ZERO, Duration.ZERO));
        send(h, ev("click", 10_000, 2));
        send(h, ev("click", 50_000, 3));
        send(h, ev("click", 70_000, 5));
        h.processWatermark(MIN - 2);
        assertThat(rows(h)).isEmpty();

        h.processWatermark(MIN - 1);
        List<WindowRow> r = rows(h);
        assertThat(r)
                .extracting(WindowRow::spec, WindowRow::windowStart, WindowRow::count, WindowRow::sum, WindowRow::kind)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("tumbling-1m", 0L, 2L, 5.0, Kind.FINAL),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", -2 * MIN, 2L, 5.0, Kind.FINAL));

        h.processWatermark(2 * MIN - 1);
        r = rows(h);
        assertThat(r)
                .extracting(WindowRow::spec, WindowRow::windowStart, WindowRow::count, WindowRow::min, WindowRow::max)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("tumbling-1m", MIN, 1L, 5.0, 5.0),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", -MIN, 3L, 2.0, 5.0));
        assertThat(r).allSatisfy(row -> {
            assertThat(row.tenantId()).isEqualTo("acme");
            assertThat(row.eventType()).isEqualTo("click");
            assertThat(row.windowEnd() - row.windowStart())
                    .isEqualTo(row.spec().startsWith("tumbling") ? MIN : 3 * MIN);
            assertThat(row.version()).isEqualTo(2 * row.count() + 1);
        });
    }

    @Test
    void slidingWindowsKeepEmittingWhilePanesRemainAndThenStateIsGone() throws Exception {
        var h = harness(rollups(List.of(T1M, S3M), Duration.ofMinutes(1), Duration.ofSeconds(1)));
        send(h, ev("click", 30_000, 1));
        h.setProcessingTime(1000);
        rows(h);
        h.processWatermark(Long.MAX_VALUE);
        List<WindowRow> r = rows(h);
        assertThat(r)
                .filteredOn(x -> x.spec().equals("sliding-3m-1m"))
                .extracting(WindowRow::windowStart)
                .containsExactly(-2 * MIN, -MIN, 0L);
        assertThat(r).filteredOn(x -> x.spec().equals("tumbling-1m")).hasSize(1);

        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.setProcessingTime(10_000);
        assertThat(h.numProcessingTimeTimers()).isZero();
    }

    @Test
    void emitsEarlyRowsOnTicksOnlyWhenSomethingChanged() throws Exception {
        var h = harness(rollups(List.of(T1M), Duration.ZERO, Duration.ofMillis(100)));
        h.processWatermark(0);
        send(h, ev("click", 1_000, 1));
        send(h, ev("click", 2_000, 1));
        h.setProcessingTime(100);
        List<WindowRow> r = rows(h);
        assertThat(r).singleElement().satisfies(row -> {
            assertThat(row.kind()).isEqualTo(Kind.EARLY);
            assertThat(row.count()).isEqualTo(2);
            assertThat(row.version()).isEqualTo(4);
        });

        h.setProcessingTime(200);
        h.setProcessingTime(300);
        assertThat(rows(h)).as("nothing changed, nothing emitted").isEmpty();

        send(h, ev("click", 3_000, 1));
        h.setProcessingTime(400);
        assertThat(rows(h)).extracting(WindowRow::count).containsExactly(3L);

        h.processWatermark(MIN - 1);
        assertThat(rows(h)).singleElement().satisfies(row -> {
            assertThat(row.kind()).isEqualTo(Kind.FINAL);
            assertThat(row.version()).isEqualTo(7).isGreaterThan(6);
        });
    }

    @Test
    void boundsEarlyRowsPerKeyAndTickForSlidingSpecs() throws Exception {
        WindowSpec s60 = WindowSpec.parse("sliding 60m/1m");
        var h = harness(rollups(List.of(s60), Duration.ZERO, Duration.ofSeconds(1)));
        h.processWatermark(10 * MIN);
        // changes in 20 different open panes: only the window that ends next is emitted
        for (int i = 0; i < 20; i++) send(h, ev("click", 10 * MIN + i * MIN + 5, 1));
        h.setProcessingTime(1000);
        List<WindowRow> r = rows(h);
        assertThat(r).singleElement().satisfies(row -> {
            assertThat(row.windowEnd()).isEqualTo(11 * MIN);
            assertThat(row.count()).isEqualTo(1);
        });
    }

    @Test
    void lateEventsWithinLatenessReEmitEveryFinalWindowTheyChange() throws Exception {
        var h = harness(rollups(List.of(T1M, S3M), Duration.ofMinutes(5), Duration.ofSeconds(1)));
        send(h, ev("click", 10_000, 1));
        h.processWatermark(4 * MIN - 1);
        List<WindowRow> finals = rows(h);
        assertThat(finals).extracting(WindowRow::kind).containsOnly(Kind.FINAL);

        send(h, ev("click", 20_000, 4)); // late: its windows are final, within lateness
        assertThat(h.getSideOutput(WindowRollups.TOO_LATE)).isNullOrEmpty();
        h.setProcessingTime(1000);
        List<WindowRow> late = rows(h);
        assertThat(late)
                .extracting(WindowRow::spec, WindowRow::windowStart, WindowRow::count, WindowRow::sum, WindowRow::kind)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("tumbling-1m", 0L, 2L, 5.0, Kind.LATE),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", -2 * MIN, 2L, 5.0, Kind.LATE),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", -MIN, 2L, 5.0, Kind.LATE),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", 0L, 2L, 5.0, Kind.LATE));
        assertThat(late).allSatisfy(row -> assertThat(row.version()).isEqualTo(5));
    }

    @Test
    void aLateFirstEventOfAKeyStillProducesEveryWindowItBelongsTo() throws Exception {
        var h = harness(rollups(List.of(T1M, S3M), Duration.ofMinutes(5), Duration.ofSeconds(1)));
        h.processWatermark(4 * MIN - 1); // windows up to 4m closed before this key saw anything
        send(h, ev("click", 90_000, 3));
        h.setProcessingTime(1000);
        assertThat(rows(h))
                .extracting(WindowRow::spec, WindowRow::windowStart, WindowRow::kind)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("tumbling-1m", MIN, Kind.LATE),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", -MIN, Kind.LATE),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", 0L, Kind.LATE),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", MIN, Kind.LATE));
        h.processWatermark(Long.MAX_VALUE);
        assertThat(rows(h)).isEmpty();
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void tooLateEventsGoToTheSideOutputAndChangeNothing() throws Exception {
        var h = harness(rollups(List.of(T1M), Duration.ofMinutes(1), Duration.ZERO));
        send(h, ev("click", 10_000, 1));
        h.processWatermark(2 * MIN - 1); // window [0,1m) ends + 1m lateness = purge
        rows(h);
        Event tooLate = ev("click", 20_000, 1);
        send(h, tooLate);
        assertThat(h.getSideOutput(WindowRollups.TOO_LATE))
                .extracting(StreamRecord::getValue)
                .containsExactly(tooLate);
        h.setProcessingTime(5000);
        h.processWatermark(Long.MAX_VALUE);
        assertThat(rows(h)).isEmpty();
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void tooLateIsDecidedByTheEventsOwnPartitionWatermarkNotByHowFarOtherPartitionsHeldTheOperatorBack()
            throws Exception {
        // the operator's watermark is held back (a slow partition); the event's own partition is far on
        var h = harness(rollups(List.of(T1M), Duration.ofMinutes(1), Duration.ZERO));
        send(h, ev("click", 10_000, 1));
        h.processWatermark(MIN / 2);
        Event stale = ev("click", 20_000, 1).withPartitionWatermark(2 * MIN - 1); // [0,1m) + 1m <= its partition's 2m
        Event fine = ev("click", 30_000, 4).withPartitionWatermark(2 * MIN - 2);
        send(h, stale);
        send(h, fine);
        assertThat(h.getSideOutput(WindowRollups.TOO_LATE))
                .extracting(StreamRecord::getValue)
                .containsExactly(stale);
        h.processWatermark(Long.MAX_VALUE);
        assertThat(rows(h))
                .extracting(WindowRow::count, WindowRow::sum)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 5.0));
    }

    @Test
    void aRestoredWatermarkIgnoresSubtasksThatSawNothing() throws Exception {
        // parallelism 4, keys on 3 subtasks: the fourth snapshots no watermark and must not wipe the others'
        int maxParallelism = 128;
        var snapshots = new ArrayList<org.apache.flink.runtime.checkpoint.OperatorSubtaskState>();
        for (int sub = 0; sub < 4; sub++) {
            var h = new KeyedOneInputStreamOperatorTestHarness<>(
                    new WindowRollupsOperator(rollups(List.of(T1M), Duration.ofMinutes(1), Duration.ZERO), 1000),
                    Event::rollupKey,
                    Types.STRING,
                    maxParallelism,
                    4,
                    sub);
            h.open();
            h.processWatermark(10 * MIN);
            if (sub < 3) {
                int i = 0;
                while (org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                "t" + i + "|click", maxParallelism, 4)
                        != sub) i++;
                send(h, new Event("x" + (seq++), "t" + i, "click", 10 * MIN + 1, 1));
                h.setProcessingTime(1000);
            }
            h.prepareSnapshotPreBarrier(1);
            snapshots.add(h.snapshot(1, 1));
            h.close();
        }
        var merged = org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness.repackageState(
                snapshots.toArray(new org.apache.flink.runtime.checkpoint.OperatorSubtaskState[0]));
        var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new WindowRollupsOperator(rollups(List.of(T1M), Duration.ofMinutes(1), Duration.ZERO), 1000),
                Event::rollupKey,
                Types.STRING,
                maxParallelism,
                1,
                0);
        restored.initializeState(
                org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        merged, maxParallelism, 4, 1, 0));
        restored.open(); // no watermark yet: events are judged against the restored 10m
        Event old = new Event("old", "t0", "click", 30_000, 9); // [0,1m) + 1m lateness <= 10m
        send(restored, old);
        assertThat(restored.getSideOutput(WindowRollups.TOO_LATE))
                .extracting(StreamRecord::getValue)
                .containsExactly(old);
        restored.close();
    }

    @Test
    void dropsDuplicateEventIdsWithinTheHorizon() throws Exception {
        var h = harness(new WindowRollups(List.of(T1M), Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10), 100));
        Event e = ev("click", 10_000, 7);
        send(h, e);
        send(h, e);
        send(h, ev("click", 11_000, 1));
        h.processWatermark(MIN - 1);
        assertThat(rows(h)).singleElement().satisfies(row -> {
            assertThat(row.count()).isEqualTo(2);
            assertThat(row.sum()).isEqualTo(8.0);
        });
    }

    @Test
    void sumsAreExactEvenWhenValuesCancel() throws Exception {
        var h = harness(rollups(List.of(WindowSpec.parse("sliding 2m/1m")), Duration.ZERO, Duration.ZERO));
        send(h, ev("x", 10_000, 1e16));
        send(h, ev("x", 70_000, 1.0));
        send(h, ev("x", 80_000, -1e16));
        h.processWatermark(2 * MIN - 1);
        assertThat(rows(h))
                .filteredOn(r -> r.windowStart() == 0)
                .singleElement()
                .satisfies(r -> assertThat(r.sum()).isEqualTo(1.0));
    }

    @Test
    void finalRowsDoNotDependOnWhenEarlyTicksHappen() throws Exception {
        List<Event> events = new ArrayList<>();
        var rnd = new SplittableRandom(5);
        for (int i = 0; i < 300; i++)
            events.add(ev("t" + rnd.nextInt(3), i * 1_000L + rnd.nextInt(5_000), rnd.nextInt(100) / 4.0));
        Map<String, WindowRow> a = replayWithTicks(events, 100);
        Map<String, WindowRow> b = replayWithTicks(events, 7);
        assertThat(a).isEqualTo(b).isNotEmpty();
    }

    private Map<String, WindowRow> replayWithTicks(List<Event> events, int tickEvery) throws Exception {
        var h = harness(rollups(List.of(T1M, S3M), Duration.ofMinutes(2), Duration.ofMillis(10)));
        long now = 0;
        for (int i = 0; i < events.size(); i++) {
            send(h, events.get(i));
            if (i % tickEvery == 0) h.setProcessingTime(now += 10);
            if (i % 50 == 0) h.processWatermark(events.get(i).timestamp() - 10_000);
        }
        h.processWatermark(Long.MAX_VALUE);
        return latestByKey(rows(h), true);
    }

    private static Map<String, WindowRow> latestByKey(List<WindowRow> rows, boolean dropEmittedAt) {
        Map<String, WindowRow> latest = new TreeMap<>();
        for (WindowRow r : rows) {
            String k = r.tenantId() + "|" + r.eventType() + "|" + r.spec() + "|" + r.windowStart();
            WindowRow prev = latest.get(k);
            if (prev == null || r.version() > prev.version()) {
                latest.put(
                        k,
                        dropEmittedAt
                                ? new WindowRow(
                                        r.tenantId(),
                                        r.eventType(),
                                        r.spec(),
                                        r.windowStart(),
                                        r.windowEnd(),
                                        r.count(),
                                        r.sum(),
                                        r.min(),
                                        r.max(),
                                        r.kind(),
                                        r.version(),
                                        0)
                                : r);
            }
        }
        return latest;
    }

    @Test
    void latestRowPerWindowMatchesBruteForceUnderDisorderLatenessAndTicks() throws Exception {
        List<WindowSpec> specs = List.of(T1M, S3M, WindowSpec.parse("sliding 10m/2m"));
        var h = harness(rollups(specs, Duration.ofMinutes(3), Duration.ofMillis(50)));
        var rnd = new SplittableRandom(11);
        List<Event> sent = new ArrayList<>();
        long maxTs = 0, now = 0;
        for (int i = 0; i < 5_000; i++) {
            long base = i * 700L;
            long ts = switch (rnd.nextInt(20)) {
                case 0 -> base - rnd.nextLong(60_000, 400_000); // late or too late
                case 1, 2, 3 -> base - rnd.nextLong(0, 20_000); // out of order
                default -> base;
            };
            Event e = ev("k" + rnd.nextInt(4), Math.max(0, ts), rnd.nextInt(-50, 50) / 8.0);
            send(h, e);
            sent.add(e);
            maxTs = Math.max(maxTs, e.timestamp());
            if (rnd.nextInt(10) == 0) h.processWatermark(maxTs - 20_000);
            if (rnd.nextInt(7) == 0) h.setProcessingTime(now += 50);
        }
        h.setProcessingTime(now + 1000);
        h.processWatermark(Long.MAX_VALUE);
        var tooLate = h.getSideOutput(WindowRollups.TOO_LATE);
        List<Event> dropped = tooLate == null
                ? List.of()
                : tooLate.stream().map(StreamRecord::getValue).toList();
        assertThat(dropped).isNotEmpty();

        List<Event> accepted = new ArrayList<>(sent);
        accepted.removeAll(dropped);
        Map<String, double[]> expected = new TreeMap<>();
        for (Event e : accepted) {
            for (WindowSpec s : specs) {
                for (long end = s.firstEndContaining(e.timestamp());
                        end <= s.lastEndContaining(e.timestamp());
                        end += s.slideMs()) {
                    String k = e.tenantId() + "|" + e.eventType() + "|" + s.id() + "|" + (end - s.sizeMs());
                    double[] v =
                            expected.computeIfAbsent(k, x -> new double[] {0, 0, Double.MAX_VALUE, -Double.MAX_VALUE});
                    v[0]++;
                    v[1] += e.value(); // values are multiples of 1/8 with small sums: exact in double
                    v[2] = Math.min(v[2], e.value());
                    v[3] = Math.max(v[3], e.value());
                }
            }
        }
        Map<String, WindowRow> got = latestByKey(rows(h), false);
        Map<String, double[]> gotValues = new TreeMap<>();
        got.forEach((k, r) -> gotValues.put(k, new double[] {r.count(), r.sum(), r.min(), r.max()}));
        assertThat(gotValues.keySet()).isEqualTo(expected.keySet());
        expected.forEach((k, v) -> assertThat(gotValues.get(k)).as(k).containsExactly(v));
        assertThat(got.values()).allSatisfy(r -> assertThat(r.kind()).isNotEqualTo(Kind.EARLY));
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void restoringStateWithAnotherPaneSizeFailsWithAClearMessage() throws Exception {
        var h = harness(rollups(List.of(T1M), Duration.ZERO, Duration.ZERO));
        send(h, ev("click", 10_000, 1));
        h.prepareSnapshotPreBarrier(1); // as the task does before every barrier
        var snapshot = h.snapshot(1, 1);
        h.close();
        var other = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        rollups(List.of(WindowSpec.parse("tumbling 30s")), Duration.ZERO, Duration.ZERO)),
                Event::rollupKey,
                Types.STRING);
        other.initializeState(snapshot);
        other.open();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.processWatermark(Long.MAX_VALUE))
                .hasStackTraceContaining("keep the gcd of all window sizes and slides unchanged");
    }

    @Test
    void addingASpecWithTheSamePaneSizeKeepsTheRestoredPanes() throws Exception {
        var h = harness(rollups(List.of(T1M), Duration.ZERO, Duration.ZERO));
        send(h, ev("click", 10_000, 1));
        h.prepareSnapshotPreBarrier(1); // as the task does before every barrier
        var snapshot = h.snapshot(1, 1);
        h.close();
        var other = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(rollups(List.of(T1M, S3M), Duration.ZERO, Duration.ZERO)),
                Event::rollupKey,
                Types.STRING);
        other.initializeState(snapshot);
        other.open();
        send(other, ev("click", 20_000, 2));
        other.processWatermark(MIN - 1);
        assertThat(rows(other))
                .extracting(WindowRow::spec, WindowRow::count)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("tumbling-1m", 2L),
                        org.assertj.core.groups.Tuple.tuple("sliding-3m-1m", 2L));
    }

    @Test
    void afterARestoreEventsAreJudgedAgainstTheWatermarkOfTheCheckpoint() throws Exception {
        var h = harness(rollups(List.of(T1M), Duration.ofMinutes(2), Duration.ofSeconds(1)));
        send(h, ev("click", 2 * MIN + 10_000, 1));
        h.processWatermark(4 * MIN);
        assertThat(rows(h)).extracting(WindowRow::kind).containsExactly(Kind.FINAL);
        h.prepareSnapshotPreBarrier(1); // as the task does before every barrier
        var snapshot = h.snapshot(1, 1);
        h.close();

        var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new WindowRollupsOperator(rollups(List.of(T1M), Duration.ofMinutes(2), Duration.ofSeconds(1)), 1000),
                Event::rollupKey,
                Types.STRING);
        restored.initializeState(snapshot);
        restored.open(); // no watermark has arrived yet
        send(restored, ev("click", 2 * MIN + 20_000, 1)); // its window closed before the checkpoint: a late update
        send(restored, ev("click", 3 * MIN + 30_000, 5)); // closed too, within lateness, first event of its window
        send(restored, new Event("old", "acme", "click", 30_000, 9)); // [0,1m) + 2m lateness <= 4m: too late
        restored.setProcessingTime(1000);
        assertThat(restored.getSideOutput(WindowRollups.TOO_LATE))
                .extracting(r -> r.getValue().eventId())
                .containsExactly("old");
        assertThat(rows(restored))
                .extracting(WindowRow::windowStart, WindowRow::count, WindowRow::kind)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(2 * MIN, 2L, Kind.LATE),
                        org.assertj.core.groups.Tuple.tuple(3 * MIN, 1L, Kind.LATE));
    }

    @Test
    void paneSizeIsTheGcdOfSizesAndSlides() {
        assertThat(WindowRollups.paneSize(
                        List.of(T1M, WindowSpec.parse("sliding 5m/1m"), WindowSpec.parse("sliding 60m/1m"))))
                .isEqualTo(MIN);
        assertThat(WindowRollups.paneSize(List.of(WindowSpec.parse("tumbling 90s"), WindowSpec.parse("sliding 2m/1m"))))
                .isEqualTo(30_000L);
        assertThat(Arrays.asList(WindowSpec.parse("sliding 5m/1m").id(), T1M.id()))
                .containsExactly("sliding-5m-1m", "tumbling-1m");
    }

    @Test
    void cachedPaneChangesAreInTheCheckpointAndRestoreIntoThePlainOperator() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new WindowRollupsOperator(rollups(List.of(T1M, S3M), Duration.ZERO, Duration.ZERO), 100_000),
                Event::rollupKey,
                Types.STRING);
        h.open();
        for (int i = 0; i < 30; i++) send(h, ev("type" + (i % 3), 10_000 + i, 1));
        h.prepareSnapshotPreBarrier(1); // as the task does before every barrier
        var snapshot = h.snapshot(1, 1);
        h.close();
        var plain = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(rollups(List.of(T1M, S3M), Duration.ZERO, Duration.ZERO)),
                Event::rollupKey,
                Types.STRING);
        plain.initializeState(snapshot);
        plain.open();
        send(plain, ev("type0", 20_000, 1));
        plain.processWatermark(Long.MAX_VALUE);
        assertThat(rows(plain))
                .filteredOn(r -> r.spec().equals("tumbling-1m"))
                .extracting(WindowRow::eventType, WindowRow::count)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("type0", 11L),
                        org.assertj.core.groups.Tuple.tuple("type1", 10L),
                        org.assertj.core.groups.Tuple.tuple("type2", 10L));
        assertThat(plain.numKeyedStateEntries()).isZero();
        plain.close();
    }

    @Test
    void aWriteBackRunEmitsTheSameRowsAsAWriteThroughRun() throws Exception {
        List<List<WindowRow>> runs = new ArrayList<>();
        for (boolean writeBack : new boolean[] {false, true}) {
            WindowRollups fn = rollups(List.of(T1M, S3M), Duration.ofMinutes(1), Duration.ofSeconds(1));
            var h = new KeyedOneInputStreamOperatorTestHarness<>(
                    writeBack ? new WindowRollupsOperator(fn, 3) : new KeyedProcessOperator<>(fn),
                    Event::rollupKey,
                    Types.STRING);
            h.open();
            java.util.SplittableRandom r = new java.util.SplittableRandom(3);
            seq = 0;
            List<WindowRow> out = new ArrayList<>();
            long wm = 0;
            for (int i = 0; i < 3_000; i++) {
                long ts = wm + r.nextLong(-90_000, 30_000); // some late, some too late
                send(h, ev("t" + r.nextInt(7), Math.max(0, ts), r.nextInt(100) / 4.0));
                if (i % 50 == 49) {
                    wm += 10_000;
                    h.processWatermark(wm);
                }
                if (i % 400 == 399) h.setProcessingTime(i * 10L);
                out.addAll(rows(h).stream()
                        .map(x -> new WindowRow(
                                x.tenantId(),
                                x.eventType(),
                                x.spec(),
                                x.windowStart(),
                                x.windowEnd(),
                                x.count(),
                                x.sum(),
                                x.min(),
                                x.max(),
                                x.kind(),
                                x.version(),
                                0))
                        .toList());
            }
            h.processWatermark(Long.MAX_VALUE);
            out.addAll(rows(h).stream()
                    .map(x -> new WindowRow(
                            x.tenantId(),
                            x.eventType(),
                            x.spec(),
                            x.windowStart(),
                            x.windowEnd(),
                            x.count(),
                            x.sum(),
                            x.min(),
                            x.max(),
                            x.kind(),
                            x.version(),
                            0))
                    .toList());
            assertThat(h.numKeyedStateEntries()).isZero();
            h.close();
            runs.add(out);
        }
        assertThat(runs.get(0)).hasSizeGreaterThan(100);
        assertThat(runs.get(1)).containsExactlyElementsOf(runs.get(0));
    }
}
