package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PartitionClockTest {
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;

    /** The rule written the slow, obvious way: max over every run of k consecutive events of its minimum. */
    private static long bruteForce(long[] ts, int n, int k) {
        long best = Long.MIN_VALUE;
        for (int end = k; end <= n; end++) {
            long min = Long.MAX_VALUE;
            for (int i = end - k; i < end; i++) min = Math.min(min, ts[i]);
            best = Math.max(best, min);
        }
        return best;
    }

    @Test
    void aFewFarAheadEventsNeverMoveThePartitionsTime() {
        PartitionClock c = new PartitionClock(4);
        long t = 10 * HOUR;
        int outliers = 0;
        for (int i = 0; i < 1000; i++) {
            boolean fast = i % 7 == 3 || i % 7 == 4; // two in a row, days ahead, again and again
            long ts = fast ? t + 3 * 24 * HOUR : t + i * 1000L;
            if (c.add(ts, i, MIN)) outliers++;
            assertThat(c.time()).isLessThanOrEqualTo(t + i * 1000L);
        }
        assertThat(c.time()).isGreaterThan(t + 990 * 1000L - 10_000L);
        assertThat(outliers).isEqualTo(285); // every fast event (286) but the one before the clock had a time
    }

    @Test
    void aRealJumpIsConfirmedByConsecutiveEvents() {
        PartitionClock c = new PartitionClock(3);
        for (int i = 0; i < 10; i++) c.add(HOUR + i, i, MIN);
        assertThat(c.time()).isEqualTo(HOUR + 7);
        c.add(5 * HOUR, 10, MIN);
        c.add(5 * HOUR + 5, 11, MIN);
        assertThat(c.time()).isEqualTo(HOUR + 9);
        c.add(5 * HOUR + 2, 12, MIN);
        assertThat(c.time()).isEqualTo(5 * HOUR);
        assertThat(c.watermark(5000)).isEqualTo(5 * HOUR - 5001);
    }

    @Test
    void oneConfirmationIsTheClassicLargestTimestamp() {
        PartitionClock c = new PartitionClock(1);
        c.add(100, 0, MIN);
        c.add(50, 1, MIN);
        c.add(900, 2, MIN);
        c.add(10, 3, MIN);
        assertThat(c.time()).isEqualTo(900);
        assertThat(new PartitionClock(1).watermark(5)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void equalsTheRuleWrittenByBruteForceOnRandomDisorder() {
        SplittableRandom r = new SplittableRandom(3);
        for (int round = 0; round < 200; round++) {
            int k = 1 + r.nextInt(20);
            int n = r.nextInt(300);
            long[] ts = new long[n];
            PartitionClock c = new PartitionClock(k);
            for (int i = 0; i < n; i++) {
                ts[i] = i * 1000L + (r.nextInt(10) == 0 ? r.nextLong(-50_000, 5 * HOUR) : r.nextLong(-3000, 3000));
                c.add(ts[i], i, MIN);
                assertThat(c.time()).as("k=%d after %d", k, i).isEqualTo(bruteForce(ts, i + 1, k));
            }
        }
    }

    @Test
    void aClockStartedMidStreamIsNeverAheadOfOneThatSawEverything() {
        // the source's watermark generator after a restore (fresh) vs the restored clock of partition-clocks
        SplittableRandom r = new SplittableRandom(9);
        for (int round = 0; round < 200; round++) {
            int k = 1 + r.nextInt(16);
            PartitionClock whole = new PartitionClock(k);
            PartitionClock fresh = new PartitionClock(k);
            int cut = r.nextInt(200);
            for (int i = 0; i < 400; i++) {
                long ts = i * 1000L + (r.nextInt(5) == 0 ? r.nextLong(-60_000, 3 * HOUR) : r.nextLong(-2000, 2000));
                whole.add(ts, i, MIN);
                if (i >= cut) fresh.add(ts, i, MIN);
                assertThat(fresh.time()).isLessThanOrEqualTo(whole.time());
            }
        }
    }

    @Test
    void stateRoundTripsAndContinuesExactly() {
        SplittableRandom r = new SplittableRandom(5);
        PartitionClock a = new PartitionClock(6);
        for (int i = 0; i < 50; i++) a.add(r.nextLong(0, HOUR), i, MIN);
        long[] state = a.toState(7);
        assertThat(state[0]).isEqualTo(7);
        assertThat(state[1]).isEqualTo(49);
        PartitionClock b = PartitionClock.fromState(state, 6);
        for (int i = 50; i < 200; i++) {
            long ts = r.nextLong(0, 2 * HOUR);
            a.add(ts, i, MIN);
            b.add(ts, i, MIN);
            assertThat(b.time()).isEqualTo(a.time());
        }
        assertThat(b.offset()).isEqualTo(199);
        // fewer confirmations after a config change: the most recent events are kept
        PartitionClock c = PartitionClock.fromState(a.toState(7), 2);
        assertThat(c.time()).isEqualTo(a.time());
    }
}
