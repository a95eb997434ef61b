package io.rollcast.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.WindowRow;
import io.rollcast.store.SchemaMigrations;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Both store sinks, fed the same changelog twice and out of order across versions, keep the highest version per window. */
@ExtendWith(RealServers.class)
@Timeout(300)
class StoreSinksIdempotenceIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void replayedAndReorderedChangelogEndsWithTheHighestVersionPerWindowInBothStores(
            PostgresServer pg, ClickHouseServer ch) throws Exception {
        List<WindowRow> changelog = Changelogs.generate(7, 30, 20);
        List<WindowRow> replay = new ArrayList<>(changelog);
        Collections.shuffle(replay, new Random(11));
        assertThat(lowerVersionsAfterHigherOnes(replay))
                .as("the replay delivers old versions after new ones")
                .isGreaterThan(1000);
        Map<String, WindowRow> expected = StoreRows.highestVersions(changelog);

        String pgUrl = pg.freshDatabase("idempotence");
        // small batches and short intervals: many batches, some holding two versions of one window
        PostgresSettings pgs = new PostgresSettings(pgUrl, "", "", "rollups", 97, 50, 3);
        ClickHouseSettings chs =
                new ClickHouseSettings(ch.httpUrl(), "idempotence_" + System.nanoTime(), "", "", 89, 50, 2, 3, 10_000);
        assertThat(SchemaMigrations.applyPostgres(pgUrl, "", "", "rollups"))
                .containsExactly("V001__rollups", "V002__window_stats", "V003__daily_partitions");
        assertThat(SchemaMigrations.applyClickHouse(chs.endpoint()))
                .containsExactly("V001__rollups", "V002__window_stats");

        run(changelog, pgs, chs);
        assertThat(StoreRows.diff(expected, StoreRows.postgres(pgUrl, "rollups"), StoreRows.EXACT, 10))
                .isEmpty();
        assertThat(StoreRows.diff(expected, StoreRows.clickhouse(ch, chs.database()), StoreRows.EXACT, 10))
                .isEmpty();

        run(replay, pgs, chs);
        assertThat(StoreRows.diff(expected, StoreRows.postgres(pgUrl, "rollups"), StoreRows.EXACT, 10))
                .isEmpty();
        assertThat(StoreRows.diff(expected, StoreRows.clickhouse(ch, chs.database()), StoreRows.EXACT, 10))
                .isEmpty();
        assertThat(expected).hasSize(30 * 2 * 2 * 20);
    }

    /**
     * Postgres day partitions (V003) under the sink: two sink subtasks create the partitions of the
     * days they write at once (one advisory lock per day), every row lands in its day's partition, and
     * after retention drops a day, newer rows of that day are still written.
     */
    @Test
    void theSinkCreatesEachDaysPartitionOnceAndStillWritesADayRetentionDropped(PostgresServer pg) throws Exception {
        String pgUrl = pg.freshDatabase("partitions");
        SchemaMigrations.applyPostgres(pgUrl, "", "", "rollups");
        PostgresSettings pgs = new PostgresSettings(pgUrl, "", "", "rollups", 50, 20, 3);
        long day0 = 1_788_998_400_000L; // 2026-09-10T00:00Z
        List<WindowRow> rows = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            for (long s = day0 - 30 * 60_000L; s < day0 + 2 * 86_400_000L; s += 15 * 60_000L) {
                long count = 1 + (s / 60_000L + t) % 7;
                rows.add(new WindowRow(
                        "t" + t,
                        "e",
                        "tumbling-1m",
                        s,
                        s + 60_000L,
                        count,
                        count,
                        1,
                        count,
                        io.rollcast.model.Kind.FINAL,
                        WindowRow.version(count, true),
                        s + 60_000L));
            }
        }
        runPostgres(rows, pgs);
        Map<String, WindowRow> expected = StoreRows.highestVersions(rows);
        assertThat(StoreRows.diff(expected, StoreRows.postgres(pgUrl, "rollups"), StoreRows.EXACT, 10))
                .isEmpty();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pgUrl);
                java.sql.Statement st = c.createStatement()) {
            assertThat(partitions(st))
                    .containsExactly(
                            "rollups_default 0",
                            "rollups_p20260909 16",
                            "rollups_p20260910 768",
                            "rollups_p20260911 768");
        }

        var dropped = io.rollcast.store.Retention.postgres(
                pgUrl, "", "", "rollups", java.time.Instant.parse("2026-09-11T00:00:00Z"), false);
        assertThat(dropped)
                .extracting(io.rollcast.store.Retention.Dropped::partition)
                .containsExactly("rollups_p20260909", "rollups_p20260910");
        // a late correction of a dropped day arrives
        List<WindowRow> late = List.of(new WindowRow(
                "t0",
                "e",
                "tumbling-1m",
                day0,
                day0 + 60_000L,
                100,
                100,
                1,
                100,
                io.rollcast.model.Kind.LATE,
                WindowRow.version(100, true),
                day0 + 3_600_000L));
        runPostgres(late, pgs);
        Map<String, WindowRow> now = StoreRows.postgres(pgUrl, "rollups");
        assertThat(now.get(StoreRows.key(late.get(0)))).isEqualTo(late.get(0));
        assertThat(now).hasSize(768 + 1);
    }

    private static List<String> partitions(java.sql.Statement st) throws java.sql.SQLException {
        List<String> out = new ArrayList<>();
        try (java.sql.ResultSet rs = st.executeQuery("SELECT c.relname, (SELECT count(*) FROM rollups r WHERE"
                + " r.tableoid = c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent ="
                + " 'rollups'::regclass ORDER BY 1")) {
            while (rs.next()) out.add(rs.getString(1) + " " + rs.getLong(2));
        }
        return out;
    }

    private static void runPostgres(List<WindowRow> rows, PostgresSettings pgs) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromData(rows, TypeInformation.of(WindowRow.class))
                .keyBy(WindowRow::tenantId)
                .sinkTo(PostgresRollupSink.create(pgs))
                .uid("sink-postgres")
                .name("sink-postgres");
        env.execute("postgres-partitions");
    }

    private static void run(List<WindowRow> rows, PostgresSettings pgs, ClickHouseSettings chs) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // like the job: all versions of a window reach the same sink subtask
        KeyedStream<WindowRow, String> keyed =
                env.fromData(rows, TypeInformation.of(WindowRow.class)).keyBy(WindowRow::tenantId);
        keyed.sinkTo(PostgresRollupSink.create(pgs)).uid("sink-postgres").name("sink-postgres");
        keyed.sinkTo(new ClickHouseRollupSink(chs)).uid("sink-clickhouse").name("sink-clickhouse");
        env.execute("store-sinks-idempotence");
    }

    private static int lowerVersionsAfterHigherOnes(List<WindowRow> rows) {
        Map<String, Long> seen = new HashMap<>();
        int n = 0;
        for (WindowRow r : rows) {
            Long max = seen.merge(StoreRows.key(r), r.version(), Math::max);
            if (max > r.version()) n++;
        }
        return n;
    }
}
