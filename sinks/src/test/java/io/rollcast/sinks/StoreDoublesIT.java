package io.rollcast.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.store.SchemaMigrations;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both store sinks keep every double of a row bit for bit: extreme magnitudes, subnormals, 2^53
 * neighbours, two-decimal prices and their sums, -0.0 and random bit patterns. Both tables are read
 * back without a text conversion of the doubles (see {@link StoreRows}), and compared with
 * {@link Double#doubleToRawLongBits}.
 */
@ExtendWith(RealServers.class)
@Timeout(180)
class StoreDoublesIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @Test
    void storesHoldTheJobsDoublesBitForBit(PostgresServer pg, ClickHouseServer ch) throws Exception {
        List<Double> values = values();
        List<WindowRow> rows = rows(values);

        String pgUrl = pg.freshDatabase("doubles");
        PostgresSettings pgs = PostgresSettings.of(pgUrl, "", "", "rollups");
        ClickHouseSettings chs = ClickHouseSettings.of(ch.httpUrl(), "doubles_" + System.nanoTime(), "", "");
        SchemaMigrations.applyPostgres(pgUrl, "", "", "rollups");
        SchemaMigrations.applyClickHouse(chs.endpoint());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<WindowRow> changelog = env.fromData(rows, TypeInformation.of(WindowRow.class));
        changelog.sinkTo(PostgresRollupSink.create(pgs)).uid("sink-postgres").name("sink-postgres");
        changelog.sinkTo(new ClickHouseRollupSink(chs)).uid("sink-clickhouse").name("sink-clickhouse");
        env.execute("store-doubles");

        Map<String, WindowRow> inPostgres = StoreRows.postgres(pgUrl, "rollups");
        Map<String, WindowRow> inClickHouse = StoreRows.clickhouse(ch, chs.database());
        List<String> postgres = differingDoubles(rows, inPostgres);
        List<String> clickhouse = differingDoubles(rows, inClickHouse);
        int stored = 3 * rows.size();
        assertThat(postgres)
                .as("Postgres: %d of %d stored doubles differ", postgres.size(), stored)
                .isEmpty();
        assertThat(clickhouse)
                .as("ClickHouse: %d of %d stored doubles differ", clickhouse.size(), stored)
                .isEmpty();
        // and every other column (bounds, count beyond 2^53, kind, version, emitted_at) as written
        Map<String, WindowRow> expected = StoreRows.highestVersions(rows);
        assertThat(StoreRows.diff(expected, inPostgres, StoreRows.EXACT, 10)).isEmpty();
        assertThat(StoreRows.diff(expected, inClickHouse, StoreRows.EXACT, 10)).isEmpty();
    }

    /** Every value once in each of sum, min and max (rotated), one window per value. */
    private static List<WindowRow> rows(List<Double> v) {
        int n = v.size();
        List<WindowRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long start = Changelogs.BASE + i * 60_000L;
            Kind kind = Kind.values()[i % 3];
            long count = i == 0 ? (1L << 53) + 1 : i + 1;
            rows.add(new WindowRow(
                    "tenant-exact",
                    "price",
                    "tumbling-1m",
                    start,
                    start + 60_000,
                    count,
                    v.get(i),
                    v.get((i + n / 3) % n),
                    v.get((i + 2 * n / 3) % n),
                    kind,
                    WindowRow.version(count, kind != Kind.EARLY),
                    start + 61_234));
        }
        return rows;
    }

    private static List<Double> values() {
        Set<Double> v = new LinkedHashSet<>(); // Double.equals compares bits: 0.0 and -0.0 are both kept
        long[] ks = {1, 3, 7, 12_345, 999_999_937, (1L << 52) - 1, (1L << 53) - 1, 4_206_746_074_755_683L};
        for (long k : ks) {
            for (int sign : new int[] {1, -1}) {
                v.add(sign * Math.scalb((double) k, 960)); // ±k·2^960, up to ~2^1013
                v.add(sign * Math.scalb((double) k, -1000)); // ±k·2^-1000, tiny normals
                v.add(sign * Math.scalb((double) k, -1074)); // ±k·2^-1074: subnormals where k < 2^52
            }
        }
        double two53 = Math.scalb(1.0, 53);
        for (double x : new double[] {two53 - 1, two53, two53 + 2, -(two53 - 1), -two53}) v.add(x);
        v.add(4206746074755683.0);
        v.add(-2.70676096666635e+294);
        v.add(Double.MIN_VALUE);
        v.add(-Double.MIN_VALUE);
        v.add(Double.MIN_NORMAL);
        v.add(Double.MAX_VALUE);
        v.add(-Double.MAX_VALUE);
        v.add(0.0);
        v.add(-0.0);
        for (double price : new double[] {19.99, 0.01, 0.1, 3.53, 9.95, 1234.56, -0.07, 99_999_999.99}) {
            v.add(price);
            v.add(-price);
        }
        v.add(0.1 + 0.2);
        // sums of two-decimal prices, accumulated in the order a window adds them
        SplittableRandom rnd = new SplittableRandom(42);
        double sum = 0;
        for (int i = 0; i < 200; i++) {
            sum += rnd.nextInt(1, 10_000_00) / 100.0;
            if (i % 10 == 9) v.add(sum);
            v.add(rnd.nextInt(-100_000_00, 100_000_00) / 100.0);
        }
        // random finite bit patterns: every exponent and mantissa
        while (v.size() < 600) {
            double x = Double.longBitsToDouble(rnd.nextLong());
            if (Double.isFinite(x)) v.add(x);
        }
        return new ArrayList<>(v);
    }

    private static List<String> differingDoubles(List<WindowRow> expected, Map<String, WindowRow> stored) {
        List<String> d = new ArrayList<>();
        for (WindowRow x : expected) {
            WindowRow a = stored.get(StoreRows.key(x));
            if (a == null) {
                for (String column : new String[] {"sum", "min", "max"})
                    d.add(StoreRows.key(x) + " " + column + ": row missing");
                continue;
            }
            compare(d, x, a, "sum", WindowRow::sum);
            compare(d, x, a, "min", WindowRow::min);
            compare(d, x, a, "max", WindowRow::max);
        }
        return d;
    }

    private static void compare(
            List<String> d, WindowRow expected, WindowRow actual, String column, ToDoubleFunction<WindowRow> f) {
        long x = Double.doubleToRawLongBits(f.applyAsDouble(expected));
        long a = Double.doubleToRawLongBits(f.applyAsDouble(actual));
        if (x != a) {
            d.add(String.format(
                    "%s %s: expected %s (0x%016x) got %s (0x%016x)",
                    StoreRows.key(expected), column, Double.longBitsToDouble(x), x, Double.longBitsToDouble(a), a));
        }
    }
}
