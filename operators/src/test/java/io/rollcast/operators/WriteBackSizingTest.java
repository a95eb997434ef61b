package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.Event;
import io.rollcast.model.WindowSpec;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class WriteBackSizingTest {
    static final long GB = 1L << 30;

    @Test
    void autoSizedCachesShareTwoFifthsOfTheHeapInProportionToTheirBytesPerEntry() {
        assertThat(WriteBackOperator.autoBound(GB, 250)).isEqualTo((int) (0.4 * GB / 250));
        // two slots, both operators: every cache gets the same entries, the heap split 250:650
        assertThat(WriteBackOperator.autoBound(GB, 2 * 250 + 2 * 650)).isEqualTo((int) (0.4 * GB / 1800));
        // the local and compose TaskManager (416 MB heap): about the former fixed default of 100 000
        assertThat(WriteBackOperator.autoBound(416L << 20, 1800)).isBetween(95_000, 100_000);
        assertThat(WriteBackOperator.autoBound(64L << 20, 200 * 650)).isEqualTo(1_000); // never below 1 000
        assertThat(WriteBackOperator.autoBound(Long.MAX_VALUE, 1)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void anAutoSizedCacheShrinksWhileAnotherSubtaskIsOpenAndGrowsBackWhenItCloses() throws Exception {
        WindowRollupsOperator a = operator(WriteBackOperator.AUTO), b = operator(WriteBackOperator.AUTO);
        long heap = Runtime.getRuntime().maxMemory();
        try (var ha = harness(a)) {
            ha.open();
            int alone = WriteBackOperator.autoBound(heap, WindowRollupsOperator.BYTES_PER_ENTRY);
            assertThat(a.bound()).isEqualTo(alone);
            try (var hb = harness(b)) {
                hb.open();
                assertThat(a.bound())
                        .isEqualTo(b.bound())
                        .isEqualTo(WriteBackOperator.autoBound(heap, 2 * WindowRollupsOperator.BYTES_PER_ENTRY))
                        .isBetween(alone / 2 - 1, alone / 2 + 1);
            }
            assertThat(a.bound()).isEqualTo(alone);
        }
    }

    @Test
    void aFixedBoundStaysAndNegativeBoundsOtherThanAutoAreRefused() {
        assertThat(operator(5_000).bound()).isEqualTo(5_000);
        assertThat(operator(0).bound()).isZero();
        assertThatThrownBy(() -> operator(-2)).isInstanceOf(IllegalArgumentException.class);
    }

    private static WindowRollupsOperator operator(int max) {
        return new WindowRollupsOperator(
                new WindowRollups(
                        List.of(WindowSpec.parse("tumbling 1m")),
                        Duration.ofMinutes(1),
                        Duration.ZERO,
                        Duration.ZERO,
                        10),
                max);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, io.rollcast.model.WindowRow> harness(
            WindowRollupsOperator op) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(op, Event::rollupKey, Types.STRING);
    }
}
