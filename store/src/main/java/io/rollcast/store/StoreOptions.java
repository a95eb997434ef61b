package io.rollcast.store;

import io.rollcast.config.Option;

/**
 * Where the rollup stores are: the connection options the job (which writes) and the fan-out (which
 * reads) both take, declared once so that their keys, defaults and checks cannot drift apart (they
 * had: the fan-out read ClickHouse database {@code default} while the job wrote {@code rollcast}).
 */
public final class StoreOptions {
    public static final Option<String> POSTGRES_URL = Option.url(
            "store.postgres.url",
            "jdbc:postgresql://127.0.0.1:15432/postgres",
            "JDBC URL of the Postgres rollup store.",
            "jdbc:postgresql:");
    public static final Option<String> POSTGRES_USER =
            Option.string("store.postgres.user", "postgres", "Postgres user.");
    public static final Option<String> POSTGRES_PASSWORD = Option.string(
                    "store.postgres.password", "", "Postgres password (masked wherever config is shown).")
            .secret();
    public static final Option<String> POSTGRES_TABLE =
            Option.identifier("store.postgres.table", "rollups", "Postgres rollup table (an identifier).");
    public static final Option<String> CLICKHOUSE_URL = Option.url(
            "store.clickhouse.url",
            "http://127.0.0.1:18123/",
            "HTTP URL of the ClickHouse rollup store.",
            "http://",
            "https://");
    public static final Option<String> CLICKHOUSE_DATABASE = Option.identifier(
            "store.clickhouse.database",
            "rollcast",
            "ClickHouse database of the rollups table (an identifier; created by the migrations).");
    public static final Option<String> CLICKHOUSE_USER =
            Option.string("store.clickhouse.user", "default", "ClickHouse user (HTTP Basic auth; empty sends none).");
    public static final Option<String> CLICKHOUSE_PASSWORD = Option.string(
                    "store.clickhouse.password", "", "ClickHouse password (masked wherever config is shown).")
            .secret();

    public static final Option<String> COLD_PATH = Option.string(
            "cold.path",
            "",
            "Root of the cold copy: final and late window rows as Parquet, tenant_id=<t>/date=<day>/ (docs/cold.md); a local directory, or s3://... with Flink's S3 plugin (job only). Empty disables it.");

    private StoreOptions() {}
}
