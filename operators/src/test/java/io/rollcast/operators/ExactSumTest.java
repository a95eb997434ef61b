package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExactSumTest {

    private static double exact(List<Double> values) {
        BigDecimal s = BigDecimal.ZERO;
        for (double v : values) s = s.add(new BigDecimal(v));
        return Double.parseDouble(s.toString()); // parseDouble rounds correctly, once
    }

    @Test
    void survivesCatastrophicCancellation() {
        double[] p = new double[0];
        for (double v : new double[] {1e16, 1.0, -1e16, 1.0}) p = ExactSum.add(p, v);
        assertThat(ExactSum.round(p)).isEqualTo(2.0);
        assertThat(1e16 + 1.0 - 1e16 + 1.0).isNotEqualTo(2.0); // the naive sum loses it
    }

    @Test
    void equalsTheExactSumRoundedOnceInAnyOrder() {
        var rnd = new SplittableRandom(42);
        for (int round = 0; round < 200; round++) {
            List<Double> values = new ArrayList<>();
            int n = 1 + rnd.nextInt(200);
            for (int i = 0; i < n; i++) {
                double mag = Math.pow(10, rnd.nextInt(-3, 18));
                values.add((rnd.nextDouble() - 0.5) * mag);
            }
            double expected = exact(values);
            double[] forward = new double[0];
            for (double v : values) forward = ExactSum.add(forward, v);
            Collections.shuffle(values, new java.util.Random(round));
            // combine in two halves, like panes merged into a window
            double[] a = new double[0], b = new double[0];
            for (int i = 0; i < values.size(); i++) {
                if (i % 2 == 0) a = ExactSum.add(a, values.get(i));
                else b = ExactSum.add(b, values.get(i));
            }
            assertThat(ExactSum.round(forward)).isEqualTo(expected);
            assertThat(ExactSum.round(ExactSum.addAll(a, b))).isEqualTo(expected);
        }
    }

    @Test
    void fifoAggregatorMatchesBruteForceOverASlidingWindow() {
        var rnd = new SplittableRandom(3);
        long size = 10;
        List<Agg> panes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Agg a = new Agg();
            if (rnd.nextInt(3) > 0) a.add(rnd.nextInt(-1000, 1000) / 8.0);
            panes.add(a);
        }
        FifoAgg f = new FifoAgg(0);
        for (int end = 1; end <= panes.size(); end++) {
            long start = Math.max(0, end - size);
            f.evictBefore(start);
            if (!panes.get(end - 1).isEmpty()) f.push(end - 1, panes.get(end - 1));
            Agg expected = new Agg();
            for (long i = start; i < end; i++) expected.merge(panes.get((int) i));
            Agg got = f.query();
            assertThat(got.count).isEqualTo(expected.count);
            assertThat(got.sumValue()).isEqualTo(expected.sumValue());
            assertThat(got.min).isEqualTo(expected.min);
            assertThat(got.max).isEqualTo(expected.max);
        }
    }
}
