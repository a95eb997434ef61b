package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** cold-batch: closed rows of a tenant held for the interval after the first, early rows never kept. */
class ColdBatchTest {
    static WindowRow row(String tenant, long start, long count, Kind kind) {
        return new WindowRow(
                tenant,
                "e",
                "tumbling-1m",
                start,
                start + 60_000,
                count,
                count,
                1,
                1,
                kind,
                WindowRow.version(count, kind != Kind.EARLY),
                start + 60_000);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, WindowRow, WindowRow> harness(OperatorSubtaskState restore)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new ColdBatch(Duration.ofSeconds(60), WindowRollupsOperator.ROWS), WindowRow::tenantId, Types.STRING);
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    static List<WindowRow> out(KeyedOneInputStreamOperatorTestHarness<String, WindowRow, WindowRow> h) {
        return h.extractOutputValues();
    }

    @Test
    void aTenantsClosedRowsLeaveTogetherOneIntervalAfterItsFirstAndItsStateIsCleared() throws Exception {
        try (var h = harness(null)) {
            h.setProcessingTime(1_000);
            h.processElement(new StreamRecord<>(row("t1", 0, 5, Kind.FINAL)));
            h.setProcessingTime(30_000);
            h.processElement(new StreamRecord<>(row("t2", 0, 1, Kind.FINAL)));
            h.processElement(new StreamRecord<>(row("t1", 60_000, 3, Kind.FINAL)));
            h.processElement(new StreamRecord<>(row("t1", 0, 6, Kind.LATE)));
            h.processElement(new StreamRecord<>(row("t1", 120_000, 2, Kind.EARLY)));
            h.setProcessingTime(60_999);
            assertThat(out(h)).isEmpty();
            h.setProcessingTime(61_000);
            assertThat(out(h))
                    .containsExactly(
                            row("t1", 0, 5, Kind.FINAL), row("t1", 60_000, 3, Kind.FINAL), row("t1", 0, 6, Kind.LATE));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2); // t2's rows and flush time only
            h.setProcessingTime(90_000);
            assertThat(out(h)).hasSize(4).last().isEqualTo(row("t2", 0, 1, Kind.FINAL));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void heldRowsSurviveARestoreAndAreSentAtTheEndOfABoundedRun() throws Exception {
        OperatorSubtaskState snap;
        try (var h = harness(null)) {
            h.setProcessingTime(1_000);
            h.processElement(new StreamRecord<>(row("t1", 0, 5, Kind.FINAL)));
            h.processElement(new StreamRecord<>(row("t2", 0, 7, Kind.FINAL)));
            snap = h.snapshot(1, 2_000);
        }
        try (var h = harness(snap)) {
            h.setProcessingTime(2_000);
            h.processElement(new StreamRecord<>(row("t1", 60_000, 1, Kind.FINAL)));
            assertThat(out(h)).isEmpty();
            h.endInput();
            assertThat(out(h))
                    .containsExactlyInAnyOrder(
                            row("t1", 0, 5, Kind.FINAL), row("t1", 60_000, 1, Kind.FINAL), row("t2", 0, 7, Kind.FINAL));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }
}
