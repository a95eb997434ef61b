package io.rollcast.store;

import static io.rollcast.store.QueryFixtures.MIN;
import static io.rollcast.store.QueryFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.RealServers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
@Timeout(120)
class ClickHouseRollupQueryIT {

    @Test
    void returnsOnlyTheHighestVersionOfEachWindowWithFinalAndWithArgMax(ClickHouseServer ch) throws Exception {
        String db = "query_" + System.nanoTime();
        SchemaMigrations.applyClickHouse(new ClickHouseEndpoint(ch.httpUrl(), db, "", ""));
        List<WindowRow> rows = QueryFixtures.rows();
        QueryFixtures.insertClickHouse(ch, db, rows);
        // older versions of every t1 window arrive later, in another insert (another part): never merged yet
        List<WindowRow> stale = new ArrayList<>();
        for (WindowRow r : rows) {
            if (r.tenantId().equals("t1")) {
                stale.add(new WindowRow(
                        r.tenantId(),
                        r.eventType(),
                        r.spec(),
                        r.windowStart(),
                        r.windowEnd(),
                        r.count() - 1,
                        -1,
                        -1,
                        -1,
                        Kind.EARLY,
                        r.version() - 3,
                        r.emittedAt() - 500));
            }
        }
        QueryFixtures.insertClickHouse(ch, db, stale);

        for (ClickHouseRollupQuery.Dedup dedup : ClickHouseRollupQuery.Dedup.values()) {
            ClickHouseRollupQuery q = new ClickHouseRollupQuery(ch.httpUrl(), db, "default", "", dedup);
            assertThat(q.windows("t1", "tumbling-1m", Optional.empty(), T0 + 2 * MIN, T0 + 5 * MIN))
                    .as(dedup.name())
                    .containsExactlyElementsOf(
                            QueryFixtures.expected(rows, "t1", "tumbling-1m", null, T0 + 2 * MIN, T0 + 5 * MIN));
            assertThat(q.windows("t1", "sliding-5m-1m", Optional.of("b"), T0, T0 + 60 * MIN))
                    .as(dedup.name())
                    .hasSize(10)
                    .containsExactlyElementsOf(
                            QueryFixtures.expected(rows, "t1", "sliding-5m-1m", "b", T0, T0 + 60 * MIN));
            assertThat(q.windows("t3", "tumbling-1m", Optional.empty(), T0, T0 + 60 * MIN))
                    .as(dedup.name())
                    .isEmpty();
        }
    }

    @Test
    void parsesQuotedUInt64BeyondTwoToTheThirtyTwo(ClickHouseServer ch) throws Exception {
        String db = "uint64_" + System.nanoTime();
        SchemaMigrations.applyClickHouse(new ClickHouseEndpoint(ch.httpUrl(), db, "", ""));
        WindowRow big = new WindowRow(
                "t1",
                "a",
                "tumbling-1h",
                T0,
                T0 + 60 * MIN,
                5_000_000_000L,
                1.5e12,
                0.25,
                999.75,
                Kind.LATE,
                10_000_000_001L,
                1_767_229_200_123L);
        QueryFixtures.insertClickHouse(ch, db, List.of(big));
        assertThat(new ClickHouseRollupQuery(ch.httpUrl(), db, "", "")
                        .windows("t1", "tumbling-1h", Optional.empty(), T0, T0 + 1))
                .containsExactly(big);
    }

    @Test
    void namesOutsideTheTenantCharsetNeverReachTheSql() {
        ClickHouseRollupQuery q = new ClickHouseRollupQuery("http://127.0.0.1:1/", "db", "", "");
        assertThatThrownBy(() -> q.sql("t1' OR 1=1 --", "tumbling-1m", Optional.empty(), 0, 1))
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> q.sql("t1", "tumbling-1m", Optional.of("a\\'"), 0, 1))
                .hasMessageContaining("event type");
        assertThatThrownBy(() -> new ClickHouseRollupQuery("http://h/", "db.x", "", ""))
                .hasMessageContaining("not an identifier");
        assertThat(q.sql("t-1.x_y", "sliding-5m-1m", Optional.of("page.view"), 1_500, 120_001))
                .contains("tenant_id = 't-1.x_y'")
                .contains("window_start >= toDateTime(2)")
                .contains("window_start < toDateTime(121)");
    }
}
