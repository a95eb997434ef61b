package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class StoreEarlyRowsTest {
    static final long W = 1_767_225_600_000L;

    static WindowRow row(String tenant, long start, long count, Kind kind) {
        return new WindowRow(
                tenant,
                "click",
                "tumbling-1m",
                start,
                start + 60_000,
                count,
                count,
                1,
                1,
                kind,
                WindowRow.version(count, kind != Kind.EARLY),
                0);
    }

    static OneInputStreamOperatorTestHarness<WindowRow, WindowRow> harness() throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new StoreEarlyRows(Duration.ofSeconds(5)));
        h.setup();
        h.open();
        return h;
    }

    static List<WindowRow> out(OneInputStreamOperatorTestHarness<WindowRow, WindowRow> h) {
        List<WindowRow> rows = h.extractOutputValues();
        h.getOutput().clear();
        return rows;
    }

    @Test
    void onlyTheLatestEarlyRowOfAWindowIsSentPerInterval() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            for (long c = 1; c <= 10; c++) h.processElement(new StreamRecord<>(row("a", W, c, Kind.EARLY)));
            h.processElement(new StreamRecord<>(row("b", W, 3, Kind.EARLY)));
            assertThat(out(h)).isEmpty();
            h.setProcessingTime(4_999);
            assertThat(out(h)).isEmpty();
            h.setProcessingTime(5_000);
            assertThat(out(h)).containsExactlyInAnyOrder(row("a", W, 10, Kind.EARLY), row("b", W, 3, Kind.EARLY));
            h.setProcessingTime(10_000);
            assertThat(out(h)).as("nothing new, nothing sent").isEmpty();
        }
    }

    @Test
    void finalAndLateRowsPassAtOnceAndReplaceTheHeldEarlyRow() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(row("a", W, 4, Kind.EARLY)));
            h.processElement(new StreamRecord<>(row("a", W, 5, Kind.FINAL)));
            assertThat(out(h)).containsExactly(row("a", W, 5, Kind.FINAL));
            h.processElement(new StreamRecord<>(row("a", W, 6, Kind.LATE)));
            assertThat(out(h)).containsExactly(row("a", W, 6, Kind.LATE));
            h.setProcessingTime(5_000);
            assertThat(out(h)).as("the early row was superseded").isEmpty();
            assertThat(((StoreEarlyRows) h.getOperator()).heldRows()).isZero();
        }
    }

    @Test
    void heldRowsAreSentBeforeACheckpointBarrierSoTheOperatorNeedsNoState() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(row("a", W, 2, Kind.EARLY)));
            h.prepareSnapshotPreBarrier(1);
            assertThat(out(h)).containsExactly(row("a", W, 2, Kind.EARLY));
            var snapshot = h.snapshot(1, 1);
            assertThat(snapshot.getManagedOperatorState()).isEmpty();
            assertThat(snapshot.getManagedKeyedState()).isEmpty();
        }
    }

    @Test
    void heldRowsAreSentAtTheEndOfABoundedInput() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(row("a", W, 7, Kind.EARLY)));
            h.getOperator().finish();
            assertThat(out(h)).containsExactly(row("a", W, 7, Kind.EARLY));
        }
    }

    @Test
    void anOlderEarlyRowArrivingLateNeverReplacesANewerOne() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(row("a", W, 9, Kind.EARLY)));
            h.processElement(new StreamRecord<>(row("a", W, 8, Kind.EARLY)));
            h.setProcessingTime(5_000);
            assertThat(out(h)).containsExactly(row("a", W, 9, Kind.EARLY));
        }
    }
}
