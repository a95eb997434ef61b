package io.rollcast.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rollcast.model.WindowRow;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.RealServers;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the ClickHouse sink reacts to a real server that refuses its inserts. */
@ExtendWith(RealServers.class)
@Timeout(120)
class ClickHouseRollupSinkIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @Test
    void clientErrorFailsTheJobAtOnceQuotingTheServer(ClickHouseServer ch) {
        // the database does not exist: ClickHouse answers 404 with "Database ... doesn't exist"
        ClickHouseSettings s =
                new ClickHouseSettings(ch.httpUrl(), "no_such_db_" + System.nanoTime(), "", "", 10, 50, 1, 5, 10_000);
        long t0 = System.nanoTime();
        Throwable failure = catchThrowable(() -> run(s));
        String message = ExceptionUtils.stringifyException(failure);
        assertThat(message).contains("HTTP 404, not retried").contains("doesn't exist");
        // no retries with backoff happened (they would take 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s)
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void serverErrorsAreRetriedWithBackoffThenFailTheJob(ClickHouseServer ch) {
        // rollups is a view: every insert fails with a 5xx (501, "Method write is not supported by storage View")
        String db = ch.freshDatabase("view");
        ch.query("CREATE VIEW " + db + ".rollups AS SELECT 1 AS x");
        ClickHouseSettings s = new ClickHouseSettings(ch.httpUrl(), db, "", "", 10, 50, 1, 3, 10_000);
        long t0 = System.nanoTime();
        Throwable failure = catchThrowable(() -> run(s));
        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("failed 4 times in a row")
                .contains("HTTP 501")
                .contains("not supported by storage View");
        // three retries waited 100 + 200 + 400 ms
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(700);
    }

    private static void run(ClickHouseSettings s) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<WindowRow> rows = Changelogs.generate(3, 1, 2);
        env.fromData(rows, TypeInformation.of(WindowRow.class))
                .sinkTo(new ClickHouseRollupSink(s))
                .uid("sink-clickhouse")
                .name("sink-clickhouse");
        env.execute("clickhouse-sink-errors");
    }
}
