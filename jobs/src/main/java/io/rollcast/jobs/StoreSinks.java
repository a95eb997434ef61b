package io.rollcast.jobs;

import io.rollcast.config.ConfigException;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import io.rollcast.sinks.ClickHouseRollupSink;
import io.rollcast.sinks.ClickHouseSettings;
import io.rollcast.sinks.PostgresRollupSink;
import io.rollcast.sinks.PostgresSettings;
import io.rollcast.store.SchemaMigrations;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The rollup stores chosen by {@code store.type}: their sinks on the window-row changelog, with
 * stable uids {@code sink-postgres} / {@code sink-clickhouse}, and their schema migrations.
 */
public final class StoreSinks {
    private StoreSinks() {}

    public static PostgresSettings postgres(JobConfig cfg) {
        return new PostgresSettings(
                cfg.postgresUrl(),
                cfg.postgresUser(),
                cfg.postgresPassword(),
                cfg.postgresTable(),
                cfg.postgresBatchSize(),
                cfg.postgresBatchInterval().toMillis(),
                cfg.postgresMaxRetries());
    }

    public static ClickHouseSettings clickhouse(JobConfig cfg) {
        return new ClickHouseSettings(
                cfg.clickhouseUrl(),
                cfg.clickhouseDatabase(),
                cfg.clickhouseUser(),
                cfg.clickhousePassword(),
                cfg.clickhouseBatchSize(),
                Math.max(1, cfg.clickhouseBatchInterval().toMillis()),
                cfg.clickhouseMaxInFlight(),
                cfg.clickhouseMaxRetries(),
                Math.max(1, cfg.clickhouseRequestTimeout().toMillis()));
    }

    /** Settings the stores cannot honour stop start-up: ClickHouse keeps window bounds in whole seconds. */
    public static void check(JobConfig cfg) {
        if (cfg.storeClickHouse()) {
            for (WindowSpec s : cfg.windowSpecs()) {
                if (s.slideMs() % 1000 != 0 || s.sizeMs() % 1000 != 0) {
                    throw new ConfigException("config key 'windows.specs': window spec " + s.id()
                            + " is not in whole seconds, which store.type clickhouse needs (DateTime columns)");
                }
            }
        }
    }

    /** The store sinks of {@code rows} (the changelog after {@code store-early-rows}), at the parallelism of the rollups. */
    public static void attach(DataStream<WindowRow> rows, JobConfig cfg) {
        if (cfg.storePostgres()) {
            rows.sinkTo(PostgresRollupSink.create(postgres(cfg)))
                    .uid("sink-postgres")
                    .name("sink-postgres");
        }
        if (cfg.storeClickHouse()) {
            rows.sinkTo(new ClickHouseRollupSink(clickhouse(cfg)))
                    .uid("sink-clickhouse")
                    .name("sink-clickhouse");
        }
    }

    /** Applies the schema migrations of the enabled stores; returns what was done, one line per store. */
    public static List<String> migrate(JobConfig cfg, boolean postgres, boolean clickhouse) {
        List<String> out = new ArrayList<>();
        if (postgres) {
            PostgresSettings s = postgres(cfg);
            List<String> applied = SchemaMigrations.applyPostgres(s.url(), s.user(), s.password(), s.table());
            out.add("postgres " + s.table() + ": "
                    + (applied.isEmpty() ? "up to date" : "applied " + String.join(", ", applied)));
        }
        if (clickhouse) {
            ClickHouseSettings s = clickhouse(cfg);
            List<String> applied = SchemaMigrations.applyClickHouse(s.endpoint());
            out.add("clickhouse " + s.table() + ": "
                    + (applied.isEmpty() ? "up to date" : "applied " + String.join(", ", applied)));
        }
        return out;
    }
}
