package io.rollcast.fanout.snapshot;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.store.ClickHouseRollupQuery;
import io.rollcast.store.PostgresRollupQuery;
import io.rollcast.store.RollupQuery;
import java.util.List;

/** Opens the snapshot store named by {@code store.type}: Postgres (HikariCP pool), ClickHouse (HTTP) or none. */
public final class Stores {
    private Stores() {}

    public static RollupQuery open(FanoutConfig c) {
        return switch (c.storeType()) {
            case "postgres" -> {
                HikariConfig h = new HikariConfig();
                h.setJdbcUrl(c.postgresUrl());
                if (!c.postgresUser().isEmpty()) h.setUsername(c.postgresUser());
                if (!c.postgresPassword().isEmpty()) h.setPassword(c.postgresPassword());
                h.setMaximumPoolSize(c.postgresPoolSize());
                h.setMinimumIdle(0);
                h.setPoolName("fanout-snapshots");
                h.setReadOnly(true);
                h.setInitializationFailTimeout(-1); // start without the store; snapshots fail until it is up
                HikariDataSource ds = new HikariDataSource(h);
                PostgresRollupQuery q = new PostgresRollupQuery(ds, c.postgresTable());
                yield new RollupQuery() {
                    @Override
                    public List<io.rollcast.model.WindowRow> windows(
                            String tenant, String spec, java.util.Optional<String> eventType, long fromMs, long toMs) {
                        return q.windows(tenant, spec, eventType, fromMs, toMs);
                    }

                    @Override
                    public List<io.rollcast.model.WindowRow> windows(
                            String tenant,
                            String spec,
                            java.util.Optional<String> eventType,
                            long fromMs,
                            long toMs,
                            int limit) {
                        return q.windows(tenant, spec, eventType, fromMs, toMs, limit);
                    }

                    @Override
                    public void close() {
                        ds.close();
                    }
                };
            }
            case "clickhouse" ->
                new ClickHouseRollupQuery(
                        c.clickhouseUrl(), c.clickhouseDatabase(), c.clickhouseUser(), c.clickhousePassword());
            default -> (tenant, spec, eventType, fromMs, toMs) -> List.of();
        };
    }
}
