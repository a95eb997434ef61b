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
                .containsExactly("V001__rollups", "V002__window_stats");
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
