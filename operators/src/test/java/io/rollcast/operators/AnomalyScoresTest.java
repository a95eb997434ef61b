package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Event;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import io.rollcast.model.WindowStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Anomaly scores of closed rows: planted spikes and drops, and scores that do not depend on arrival order or restores. */
class AnomalyScoresTest {
    private static final long MIN = 60_000L;
    private static final List<WindowSpec> SPECS =
            List.of(WindowSpec.parse("tumbling 1m"), WindowSpec.parse("sliding 5m/1m"));
    private static final Set<Integer> SPIKES = Set.of(20, 33, 47);
    private static final Set<Integer> DROPS = Set.of(26, 40, 55);
    private static final RollupStats STATS = new RollupStats(new double[0], false, 10, 3.5, "count");

    /** ~100 events a minute for 70 minutes, with the planted minutes. */
    static List<Event> stream() {
        SplittableRandom r = new SplittableRandom(5);
        List<Event> out = new ArrayList<>();
        for (int m = 0; m < 70; m++) {
            int n = SPIKES.contains(m) ? 250 : DROPS.contains(m) ? 30 : 90 + r.nextInt(21);
            for (int i = 0; i < n; i++) {
                out.add(new Event("e" + out.size(), "acme", "req", m * MIN + r.nextLong(MIN), 1 + r.nextInt(100)));
            }
        }
        out.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        return out;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowRow> harness(OperatorSubtaskState restore)
            throws Exception {
        return harness(restore, STATS);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Event, WindowRow> harness(
            OperatorSubtaskState restore, RollupStats stats) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new WindowRollupsOperator(
                        new WindowRollups(SPECS, Duration.ofMinutes(5), Duration.ZERO, Duration.ZERO, 100, stats), 2),
                Event::rollupKey,
                Types.STRING);
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    /**
     * Feeds the events with a watermark at the largest timestamp seen minus 1 after each one,
     * optionally snapshotting and restoring into a fresh operator half-way; returns the latest
     * closed row per window.
     */
    static Map<String, WindowRow> run(List<Event> events, boolean restoreHalfWay) throws Exception {
        return run(events, restoreHalfWay, STATS);
    }

    static Map<String, WindowRow> run(List<Event> events, boolean restoreHalfWay, RollupStats stats) throws Exception {
        var h = harness(null, stats);
        Map<String, WindowRow> last = new TreeMap<>();
        long max = Long.MIN_VALUE;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            h.processElement(new StreamRecord<>(e, e.timestamp()));
            if (e.timestamp() > max) {
                max = e.timestamp();
                h.processWatermark(max - 1);
            }
            if (restoreHalfWay && i == events.size() / 2) {
                collect(h, last);
                h.prepareSnapshotPreBarrier(1); // as the task does before every barrier
                OperatorSubtaskState state = h.snapshot(1, 1);
                h.close();
                h = harness(state, stats);
                h.processWatermark(max - 1);
            }
        }
        h.processWatermark(Long.MAX_VALUE - 1);
        collect(h, last);
        var tooLate = h.getSideOutput(WindowRollups.TOO_LATE);
        assertThat(tooLate == null ? 0 : tooLate.size()).as("too-late events").isZero();
        h.close();
        return last;
    }

    static void collect(
            KeyedOneInputStreamOperatorTestHarness<String, Event, WindowRow> h, Map<String, WindowRow> last) {
        for (WindowRow r : h.extractOutputValues()) {
            if (r.kind() == Kind.EARLY) continue;
            assertThat(r.stats()).isNotNull();
            last.merge(r.windowKey(), r, (a, b) -> b.version() >= a.version() ? b : a);
        }
        h.getOutput().clear();
    }

    @Test
    void plantedSpikesAndDropsAreFlaggedAndNoNormalWindowIs() throws Exception {
        plantedOnesFlagged(STATS);
    }

    @Test
    void theSumAndTheP99CanBeScoredInstead() throws Exception {
        // every value 2: the sum follows the count (random values make the sum noisier than the count,
        // and then a normal minute can pass the threshold: that is the data, not the score)
        List<Event> twos = stream().stream()
                .map(e -> new Event(e.eventId(), e.tenantId(), e.eventType(), e.timestamp(), 2.0))
                .toList();
        plantedOnesFlagged(twos, new RollupStats(new double[0], false, 10, 3.5, "sum"));
        // values ~U[1, 100]: the p99 does not move with the count; its baseline is the p99 of U[1, 100]
        Map<String, WindowRow> rows =
                run(stream(), false, new RollupStats(new double[] {0.5, 0.99}, false, 10, 3.5, "p99"));
        int scored = 0;
        for (WindowRow r : rows.values()) {
            WindowStats.Anomaly a = r.stats().anomaly();
            if (a == null) continue;
            scored++;
            assertThat(a.baseline()).isBetween(95.0, 101.0);
        }
        assertThat(scored).isPositive();
    }

    private static void plantedOnesFlagged(RollupStats stats) throws Exception {
        plantedOnesFlagged(stream(), stats);
    }

    private static void plantedOnesFlagged(List<Event> events, RollupStats stats) throws Exception {
        Map<String, WindowRow> rows = run(events, false, stats);
        Set<Integer> flagged = new TreeSet<>();
        int scored = 0;
        double worstNormal = 0;
        for (WindowRow r : rows.values()) {
            if (!r.spec().equals("tumbling-1m")) continue;
            WindowStats.Anomaly a = r.stats().anomaly();
            int minute = (int) (r.windowStart() / MIN);
            if (minute < 10) continue; // too little history yet: no score
            assertThat(a).as("minute %d", minute).isNotNull();
            scored++;
            if (a.flagged()) flagged.add(minute);
            else worstNormal = Math.max(worstNormal, Math.abs(a.score()));
        }
        Set<Integer> planted = new TreeSet<>(SPIKES);
        planted.addAll(DROPS);
        assertThat(flagged).isEqualTo(planted);
        assertThat(scored).isEqualTo(60);
        System.out.printf(
                "anomaly: %d scored minutes, flagged %s, largest normal |score| %.2f%n", scored, flagged, worstNormal);
    }

    @Test
    void scoresDependOnlyOnWindowContentsNotOnArrivalOrderLateRowsOrARestore() throws Exception {
        List<Event> events = stream();
        Map<String, WindowRow> inOrder = run(events, false);
        // disorder within 3-minute blocks (late rows for closed windows), and a restore half-way
        Map<Long, List<Event>> blocks = new TreeMap<>();
        for (Event e : events)
            blocks.computeIfAbsent(e.timestamp() / (3 * MIN), k -> new ArrayList<>())
                    .add(e);
        List<Event> shuffled = new ArrayList<>();
        Random rnd = new Random(9);
        for (List<Event> b : blocks.values()) {
            Collections.shuffle(b, rnd);
            shuffled.addAll(b);
        }
        Map<String, WindowRow> disordered = run(shuffled, true);
        assertThat(disordered.keySet()).isEqualTo(inOrder.keySet());
        long late =
                disordered.values().stream().filter(r -> r.kind() == Kind.LATE).count();
        assertThat(late).as("the disorder produced late rows").isPositive();
        for (var e : inOrder.entrySet()) {
            WindowRow a = e.getValue(), b = disordered.get(e.getKey());
            assertThat(b.count()).as(e.getKey() + " " + b.kind()).isEqualTo(a.count());
            assertThat(b.stats()).as(e.getKey()).isEqualTo(a.stats());
        }
    }

    @Test
    void aRobustScoreIgnoresOutliersInTheHistoryAndHasAFloor() {
        double[] history = {100, 98, 103, 99, 101, 400, 97, 102, 100, 5};
        WindowStats.Anomaly spike = AnomalyScore.score(300, history, 3.5, true);
        assertThat(spike.baseline()).isEqualTo(100);
        assertThat(spike.flagged()).isTrue();
        assertThat(AnomalyScore.score(104, history, 3.5, true).flagged()).isFalse();
        // a perfectly steady history: scale = sqrt(100) = 10, not 0
        WindowStats.Anomaly steady = AnomalyScore.score(120, new double[] {100, 100, 100}, 3.5, true);
        assertThat(steady.score()).isEqualTo(2.0);
    }
}
