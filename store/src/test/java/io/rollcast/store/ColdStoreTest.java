package io.rollcast.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cold store's files: what is written is read back, newest version wins, compaction keeps every window. */
class ColdStoreTest {
    static final long DAY = 86_400_000L;
    static final long MIN = 60_000L;
    static final long T0 = 1_788_220_800_000L; // 2026-09-01T00:00:00Z

    @TempDir
    Path root;

    static WindowRow row(String tenant, String type, long start, long count, Kind kind, WindowStats stats) {
        return new WindowRow(
                tenant,
                type,
                "tumbling-1m",
                start,
                start + MIN,
                count,
                count * 1.5,
                -count,
                count + 0.25,
                kind,
                WindowRow.version(count, kind != Kind.EARLY),
                start + MIN + 17,
                stats);
    }

    Path file(String tenant, long start, String name) throws Exception {
        Path dir = root.resolve(ColdStore.partition(tenant, start));
        Files.createDirectories(dir);
        return dir.resolve(name);
    }

    @Test
    void rowsWrittenAreReadBackExactlyWithTheirStatsAndTheTenantFromThePath() throws Exception {
        WindowStats stats = new WindowStats(
                new double[] {0.5, 0.99},
                new double[] {12.5, 99.0},
                new byte[] {1, 2, 3},
                42,
                new byte[] {9, 8},
                new WindowStats.Anomaly(3.5, 10.0, true));
        List<WindowRow> rows = List.of(
                row("t1", "a", T0, 5, Kind.FINAL, stats),
                row("t1", "b", T0, 7, Kind.FINAL, null),
                row("t1", "a", T0 + MIN, 3, Kind.LATE, new WindowStats(null, null, null, 5, new byte[] {1}, null)));
        ColdStore.write(rows, file("t1", T0, "part-0.parquet"));
        ColdStore cold = new ColdStore(root);
        List<WindowRow> back = cold.windows("t1", "tumbling-1m", Optional.empty(), T0, T0 + DAY);
        assertThat(back).containsExactlyElementsOf(rows);
        assertThat(cold.windows("t1", "tumbling-1m", Optional.of("b"), T0, T0 + DAY))
                .containsExactly(rows.get(1));
        assertThat(cold.windows("t2", "tumbling-1m", Optional.empty(), T0, T0 + DAY))
                .isEmpty();
        assertThat(cold.windows("t1", "sliding-5m-1m", Optional.empty(), T0, T0 + DAY))
                .isEmpty();
    }

    @Test
    void theNewestVersionOfAWindowWinsAcrossFilesAndDaysAreSelectedByTheRange() throws Exception {
        ColdStore.write(List.of(row("t1", "a", T0, 5, Kind.FINAL, null)), file("t1", T0, "part-0.parquet"));
        ColdStore.write(List.of(row("t1", "a", T0, 9, Kind.LATE, null)), file("t1", T0, "part-1.parquet"));
        ColdStore.write(List.of(row("t1", "a", T0, 9, Kind.LATE, null)), file("t1", T0, "part-2.parquet"));
        ColdStore.write(List.of(row("t1", "a", T0 + DAY, 4, Kind.FINAL, null)), file("t1", T0 + DAY, "part-0.parquet"));
        // a FileSink in-progress file and a compaction's unrenamed output are never read
        ColdStore.write(
                List.of(row("t1", "a", T0, 99, Kind.LATE, null)), file("t1", T0, ".part-3.parquet.inprogress.x"));
        ColdStore cold = new ColdStore(root);
        assertThat(cold.windows("t1", "tumbling-1m", Optional.empty(), T0, T0 + 2 * DAY))
                .extracting(WindowRow::count)
                .containsExactly(9L, 4L);
        assertThat(cold.windows("t1", "tumbling-1m", Optional.empty(), T0 + DAY, T0 + 2 * DAY))
                .extracting(WindowRow::count)
                .containsExactly(4L);
        assertThat(cold.windows("t1", "tumbling-1m", Optional.empty(), T0, T0 + 2 * DAY, 1))
                .extracting(WindowRow::count)
                .containsExactly(9L);
    }

    @Test
    void compactionMergesOldFilesOfAPartitionIntoOneKeepingTheNewestVersionOfEveryWindow() throws Exception {
        Map<String, WindowRow> oracle = new HashMap<>();
        List<WindowRow> all = new ArrayList<>();
        for (int f = 0; f < 20; f++) {
            List<WindowRow> batch = new ArrayList<>();
            for (int w = 0; w < 30; w++) {
                long count = 1 + (f * 7 + w * 3) % 11; // versions go up and down between files
                WindowRow r = row("t1", "e" + (w % 3), T0 + w * MIN, count, Kind.LATE, null);
                batch.add(r);
                oracle.merge(r.windowKey(), r, (x, y) -> x.version() >= y.version() ? x : y);
            }
            all.addAll(batch);
            ColdStore.write(batch, file("t1", T0, "part-" + f + ".parquet"));
        }
        Path young = file("t1", T0, "part-young.parquet");
        ColdStore.write(List.of(row("t1", "e0", T0, 50, Kind.LATE, null)), young);
        Instant now = Instant.now();
        for (Path p : files()) {
            if (!p.equals(young)) Files.setLastModifiedTime(p, FileTime.from(now.minus(Duration.ofHours(1))));
        }
        oracle.merge(
                row("t1", "e0", T0, 50, Kind.LATE, null).windowKey(),
                row("t1", "e0", T0, 50, Kind.LATE, null),
                (x, y) -> x.version() >= y.version() ? x : y);
        ColdStore cold = new ColdStore(root);
        List<WindowRow> before = cold.windows("t1", "tumbling-1m", Optional.empty(), T0, T0 + DAY);

        List<ColdStore.Compacted> done = cold.compact(2, Duration.ofMinutes(10), now);

        assertThat(done).hasSize(1);
        assertThat(done.get(0).filesIn()).isEqualTo(20);
        assertThat(done.get(0).rowsIn()).isEqualTo(600);
        assertThat(done.get(0).rowsOut()).isEqualTo(30);
        assertThat(files()).hasSize(2).contains(young); // the young file waits for the next run
        List<WindowRow> after = cold.windows("t1", "tumbling-1m", Optional.empty(), T0, T0 + DAY);
        assertThat(after).isEqualTo(before);
        assertThat(after)
                .containsExactlyInAnyOrderElementsOf(oracle.values())
                .isSortedAccordingTo(
                        Comparator.comparingLong(WindowRow::windowStart).thenComparing(WindowRow::eventType));
        assertThat(cold.allVersions("t1", LocalDate.parse("2026-09-01"))).hasSize(31);
        // idempotent: nothing old enough left to merge
        assertThat(cold.compact(2, Duration.ofMinutes(10), now)).isEmpty();
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".parquet")
                            && !p.getFileName().toString().startsWith("."))
                    .toList();
        }
    }
}
