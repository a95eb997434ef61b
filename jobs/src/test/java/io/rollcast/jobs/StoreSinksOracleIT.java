package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.sinks.StoreRows;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real topology with both store sinks, early rows every 100 ms and a failure mid-stream: after
 * the restore from a checkpoint replays events and rows, both tables equal the independent oracle.
 */
@ExtendWith(RealServers.class)
@Timeout(300)
class StoreSinksOracleIT {
    static final int N = 40_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void bothStoresEqualTheOracleAfterAFailureAndRestoreMidStream(PostgresServer pg, ClickHouseServer ch)
            throws Exception {
        String pgUrl = pg.freshDatabase("oracle");
        JobConfig cfg = StoreRuns.config("both", pgUrl, ch.httpUrl(), "oracle_" + System.nanoTime(), "500ms");
        StoreSinks.migrate(cfg, cfg.storePostgres(), cfg.storeClickHouse());
        EventGenerator gen = StoreRuns.generator(42);
        StoreRuns.FailOnceAfter.FAILED.set(false);

        long t0 = System.nanoTime();
        StoreRuns.job(cfg, gen, N, 8_000, 3, "500ms", new StoreRuns.FailOnceAfter(N / 2))
                .execute("stores-oracle");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;

        assertThat(StoreRuns.FailOnceAfter.FAILED)
                .as("the induced failure happened")
                .isTrue();
        assertThat(StoreRuns.FailOnceAfter.CHECKPOINTS_BEFORE_FAILURE.get())
                .as("a checkpoint to restore from")
                .isPositive();
        Map<String, double[]> expected = StoreRuns.expected(gen, N, cfg);
        var postgres = StoreRows.postgres(pgUrl, cfg.postgresTable());
        var clickhouse = StoreRows.clickhouse(ch, cfg.clickhouseDatabase());
        assertThat(StoreRuns.diff(expected, postgres, StoreRows.EXACT)).isEmpty();
        assertThat(StoreRuns.diff(expected, clickhouse, StoreRows.EXACT)).isEmpty();
        assertThat(expected).hasSizeGreaterThan(20_000);
        long chVersions = Long.parseLong(
                ch.query("SELECT count() FROM " + cfg.clickhouseDatabase() + ".rollups FORMAT TabSeparated")
                        .trim());
        System.out.printf(
                "stores oracle IT: %d events, %d windows, failure after checkpoint %d, %d ClickHouse rows before FINAL, %d s%n",
                N, expected.size(), StoreRuns.FailOnceAfter.CHECKPOINTS_BEFORE_FAILURE.get(), chVersions, seconds);
    }
}
