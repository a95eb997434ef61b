package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.model.WindowRow;
import io.rollcast.sinks.StoreRows;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A store that goes away for 30 s mid-stream and comes back: the job rides it out by itself
 * (sink retries, then restarts from the last checkpoint) and the table ends equal to the oracle.
 */
@ExtendWith(RealServers.class)
@Timeout(360)
class StoreOutageIT {
    static final int N = 45_000;
    static final double RATE = 1_500; // events/s: the source runs ~30 s, the outage starts ~8 s in
    static final long OUTAGE_MS = 30_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void jobRecoversFromAThirtySecondPostgresOutageAndTheTableEqualsTheOracle(PostgresServer pg) throws Exception {
        String url = pg.freshDatabase("outage");
        JobConfig cfg = StoreRuns.config("postgres", url, "http://127.0.0.1:1/", "unused", "1s");
        // a fast shutdown (SIGINT): connections are cut at once
        Set<JobStatus> seen = ride(cfg, pg::stop, pg::start, () -> StoreRows.postgres(url, cfg.postgresTable()));
        assertThat(seen).as("the job failed and restarted during the outage").contains(JobStatus.RESTARTING);
        assertThat(StoreRuns.diff(
                        StoreRuns.expected(StoreRuns.generator(5), N, cfg),
                        StoreRows.postgres(url, cfg.postgresTable()),
                        StoreRows.EXACT))
                .isEmpty();
    }

    @Test
    void jobRecoversFromAThirtySecondClickHouseOutageAndTheTableEqualsTheOracle(ClickHouseServer ch) throws Exception {
        String db = "outage_" + System.nanoTime();
        JobConfig cfg = StoreRuns.config("clickhouse", "jdbc:postgresql://127.0.0.1:1/unused", ch.httpUrl(), db, "1s");
        // killed, not stopped: a graceful 18.16 shutdown keeps serving the sink's keep-alive connection for ~15 s
        Set<JobStatus> seen = ride(cfg, ch::kill, ch::start, () -> StoreRows.clickhouse(ch, db));
        assertThat(seen).as("the job was still running during the outage").contains(JobStatus.RUNNING);
        assertThat(StoreRuns.diff(
                        StoreRuns.expected(StoreRuns.generator(5), N, cfg),
                        StoreRows.clickhouse(ch, db),
                        StoreRows.EXACT))
                .isEmpty();
    }

    /** Runs the job, stops the store once rows arrive (~8 s in), starts it 30 s later, waits for the job to finish. */
    private static Set<JobStatus> ride(
            JobConfig cfg, Runnable stop, Runnable start, Supplier<Map<String, WindowRow>> table) throws Exception {
        StoreSinks.migrate(cfg, cfg.storePostgres(), cfg.storeClickHouse());
        EventGenerator gen = StoreRuns.generator(5);
        long t0 = System.nanoTime();
        JobClient job = StoreRuns.job(cfg, gen, N, RATE, 1_000, "2s", null).executeAsync("store-outage");
        Set<JobStatus> seen = EnumSet.noneOf(JobStatus.class);
        boolean up = true;
        try {
            while (elapsedMs(t0) < 8_000 || table.get().isEmpty()) {
                assertThat(elapsedMs(t0)).as("rows reach the store").isLessThan(60_000);
                Thread.sleep(250);
            }
            long rowsBefore = table.get().size();
            stop.run();
            up = false;
            long outageStart = System.nanoTime();
            while (elapsedMs(outageStart) < OUTAGE_MS) {
                seen.add(job.getJobStatus().get(10, TimeUnit.SECONDS));
                Thread.sleep(200);
            }
            start.run();
            up = true;
            System.out.printf(
                    "outage: %s stopped at %d s with %d windows stored, restarted after %d ms; job states seen %s%n",
                    cfg.storeType(), (outageStart - t0) / 1_000_000_000, rowsBefore, OUTAGE_MS, seen);
            job.getJobExecutionResult().get(4, TimeUnit.MINUTES);
        } finally {
            if (!up) start.run(); // never leave the shared server down for the next test
        }
        System.out.printf("outage: %s job finished after %d s%n", cfg.storeType(), elapsedMs(t0) / 1000);
        return seen;
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
