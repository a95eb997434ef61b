package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Event;
import io.rollcast.model.Kind;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Quantiles and distinct counts: accuracy against exact answers computed here from the raw values
 * (sorting and a HashSet, not the sketches), and rows that do not depend on arrival order.
 */
class WindowSketchesTest {
    private static final double[] LEVELS = {0.5, 0.9, 0.99, 0.999};

    /** Exact quantile of the DDSketch rank convention: the value of rank floor(q (n - 1)) of the sorted values. */
    static double exactQuantile(double[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    @Test
    void quantilesAreWithinOnePercentOfTheExactValueAtAMillionValues() {
        SplittableRandom r = new SplittableRandom(42);
        // latency-like: log-normal around 80 ms with a long tail, plus a 2 % cluster of timeouts
        double[] values = new double[1_000_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 50 == 0 ? 30_000 + r.nextDouble() * 100 : Math.exp(Math.log(80) + 0.9 * gaussian(r));
        }
        // 60 panes merged into one window, like a sliding hour of minute panes
        QuantileSketch window = new QuantileSketch();
        for (int p = 0; p < 60; p++) {
            QuantileSketch pane = new QuantileSketch();
            for (int i = p; i < values.length; i += 60) pane.add(values[i]);
            window.merge(pane);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] est = window.quantiles(LEVELS);
        double worst = 0;
        for (int i = 0; i < LEVELS.length; i++) {
            double exact = exactQuantile(sorted, LEVELS[i]);
            double rel = Math.abs(est[i] - exact) / exact;
            System.out.printf(
                    "quantile %.3f: exact %.4f estimate %.4f relative error %.5f%n", LEVELS[i], exact, est[i], rel);
            worst = Math.max(worst, rel);
            assertThat(rel).as("p%s", LEVELS[i]).isLessThanOrEqualTo(QuantileSketch.RELATIVE_ACCURACY);
        }
        System.out.printf(
                "worst relative error %.5f; sketch %d bytes serialized, %d + %d bins%n",
                worst, window.serialize().length, window.pos.length, window.neg.length);
        assertThat(window.pos.length).isLessThanOrEqualTo(QuantileSketch.MAX_BINS);
    }

    @Test
    void quantilesOfSmallMixedSignWindowsAreWithinOnePercent() {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 2000; round++) {
            int n = 1 + r.nextInt(200);
            double[] v = new double[n];
            QuantileSketch s = new QuantileSketch();
            for (int i = 0; i < n; i++) {
                v[i] = r.nextInt(10) == 0
                        ? 0
                        : (r.nextBoolean() ? 1 : -1) * Math.exp(r.nextDouble() * 10 - 3); // within 26 000x: no folding
                s.add(v[i]);
            }
            Arrays.sort(v);
            double[] est = s.quantiles(LEVELS);
            for (int i = 0; i < LEVELS.length; i++) {
                double exact = exactQuantile(v, LEVELS[i]);
                assertThat(Math.abs(est[i] - exact)).isLessThanOrEqualTo(Math.abs(exact) * 0.01 + 1e-9);
            }
        }
    }

    @Test
    void distinctCountIsWithinTwoPercentAtAMillionDistinctValues() {
        long[] sizes = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};
        for (long n : sizes) {
            // every value appears twice, spread over 60 panes, like repeat visitors across minutes
            DistinctSketch[] panes = new DistinctSketch[60];
            for (int p = 0; p < 60; p++) panes[p] = new DistinctSketch();
            Set<String> exact = new HashSet<>();
            for (long i = 0; i < 2 * n; i++) {
                String user = "user-" + (i % n);
                exact.add(user);
                panes[(int) (i % 60)].addHash(DistinctSketch.hash(user));
            }
            DistinctSketch window = new DistinctSketch();
            for (DistinctSketch p : panes) window.merge(p);
            long est = window.estimate();
            double rel = Math.abs(est - exact.size()) / (double) exact.size();
            System.out.printf(
                    "distinct %d: estimate %d relative error %.5f, sketch %d bytes%n",
                    exact.size(), est, rel, window.serialize().length);
            assertThat(rel).as("distinct at %d", n).isLessThanOrEqualTo(0.02);
        }
    }

    @Test
    void sketchBytesDependOnlyOnTheValuesNotOnTheirOrderOrPaneSplit() {
        SplittableRandom r = new SplittableRandom(3);
        List<double[]> events = new ArrayList<>(); // value, user
        for (int i = 0; i < 20_000; i++) events.add(new double[] {Math.exp(r.nextDouble() * 20 - 5), r.nextInt(5_000)});
        Set<String> q = new HashSet<>(), d = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(events, new Random(round));
            int panes = 1 + round * 7;
            QuantileSketch[] qs = new QuantileSketch[panes];
            DistinctSketch[] ds = new DistinctSketch[panes];
            for (int p = 0; p < panes; p++) {
                qs[p] = new QuantileSketch();
                ds[p] = new DistinctSketch();
            }
            for (int i = 0; i < events.size(); i++) {
                qs[i % panes].add(events.get(i)[0]);
                ds[i % panes].addHash(DistinctSketch.hash("u" + (long) events.get(i)[1]));
            }
            QuantileSketch qw = new QuantileSketch();
            DistinctSketch dw = new DistinctSketch();
            for (int p = panes - 1; p >= 0; p--) {
                qw.merge(qs[p]);
                dw.merge(ds[p]);
            }
            q.add(Arrays.toString(qw.serialize()));
            d.add(Arrays.toString(dw.serialize()));
        }
        assertThat(q).hasSize(1);
        assertThat(d).hasSize(1);
    }

    @Test
    void stateStaysWithinAFewKilobytesPerPane() {
        QuantileSketch q = new QuantileSketch();
        DistinctSketch d = new DistinctSketch();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            q.add(Math.exp(r.nextDouble() * 60 - 30)); // 26 orders of magnitude: forces folding
            d.addHash(DistinctSketch.hash("u" + i));
        }
        assertThat(q.pos.length).isEqualTo(QuantileSketch.MAX_BINS); // 4 KB of counts
        assertThat(d.dense).hasSize(DistinctSketch.DENSE_BYTES); // 6 KB of registers
        assertThat(d.sparse).isNull();
        assertThat(q.count()).isEqualTo(200_000);
    }

    // ------------------------------------------------------------ rows through the operator

    private static final WindowSpec T1M = WindowSpec.parse("tumbling 1m");
    private static final WindowSpec S5M = WindowSpec.parse("sliding 5m/1m");
    private static final RollupStats STATS = new RollupStats(new double[] {0.5, 0.9, 0.99}, true, 0, 3.5, "count");

    static String eventJson(String id, long ts, double value, String user) {
        return "{\"event_id\":\"" + id + "\",\"tenant_id\":\"acme\",\"event_type\":\"req\",\"timestamp\":" + ts
                + ",\"value\":" + value + ",\"schema_version\":1,\"payload\":{\"user\":{\"id\":\"" + user
                + "\"},\"other\":[1,2]}}";
    }

    @Test
    void rowsAreByteIdenticalWhateverOrderTheEventsArriveIn() throws Exception {
        EventParser parser = new EventParser(1 << 20, 60_000, "payload.user.id");
        SplittableRandom r = new SplittableRandom(11);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            long ts = 10 * 60_000L + r.nextLong(6 * 60_000L);
            String json = eventJson(
                    "e" + i, ts, Math.round(Math.exp(r.nextDouble() * 8) * 100) / 100.0, "u" + r.nextInt(2_500));
            events.add(parser.parse(json.getBytes(StandardCharsets.UTF_8), ts).event());
        }
        List<String> first = null;
        for (int round = 0; round < 4; round++) {
            List<Event> order = new ArrayList<>(events);
            Collections.shuffle(order, new Random(round));
            var h = new KeyedOneInputStreamOperatorTestHarness<>(
                    new WindowRollupsOperator(
                            new WindowRollups(
                                    List.of(T1M, S5M), Duration.ZERO, Duration.ZERO, Duration.ZERO, 100, STATS),
                            2),
                    Event::rollupKey,
                    Types.STRING);
            h.open();
            for (Event e : order) h.processElement(new StreamRecord<>(e, e.timestamp()));
            h.processWatermark(Long.MAX_VALUE - 1);
            List<String> rows = new ArrayList<>();
            for (WindowRow row : h.extractOutputValues()) {
                assertThat(row.kind()).isEqualTo(Kind.FINAL);
                assertThat(row.stats().distinct()).isPositive();
                rows.add(new String(RowCodec.rowJson(row), StandardCharsets.UTF_8));
            }
            rows.sort(Comparator.naturalOrder());
            h.close();
            if (first == null) first = rows;
            else assertThat(rows).as("order %d", round).isEqualTo(first);
        }
        assertThat(first).hasSize(6 + 10);
        // and the row JSON carries what a consumer reads back
        WindowRow back = RowCodec.readRow(first.get(0).getBytes(StandardCharsets.UTF_8));
        assertThat(new String(RowCodec.rowJson(back), StandardCharsets.UTF_8)).isEqualTo(first.get(0));
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
