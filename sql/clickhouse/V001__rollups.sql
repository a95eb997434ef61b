-- V001: the window-rollup table of the store sink (ClickHouse; works on 18.16 and modern servers).
--
-- ReplacingMergeTree(version): every emitted version of a window is inserted; merges keep the row
-- with the highest version per sorting key, and readers use FINAL (or argMax by version) to see
-- only that row before merges have run. version = 2 * count + closed is monotonic in content, so
-- replays and duplicates are harmless.
--
-- ORDER BY (tenant_id, spec, window_start, event_type) is the row key (tenant_id, event_type,
-- spec, window_start) ordered for the read query "windows of spec S for tenant T between t1 and
-- t2, optionally of one event type": tenant_id and spec are equalities, window_start the range,
-- so a dashboard read (all types of a tenant and spec over a few hours) is one contiguous key
-- range of a granule or two; event_type last, as a filter inside that range.
-- index_granularity 1024 (default 8192): a dashboard read wants ~100-1000 rows of 12 columns, and
-- a granule is the smallest unit read; smaller granules cut the rows read per query ~8x.
-- PARTITION BY month keeps parts (and FINAL's merge-on-read) small and lets old months be dropped.
-- Times: DateTime('UTC') in seconds for the window bounds (no DateTime64 in 18.16; the job rejects
-- sub-second window specs with this store), emitted_at in epoch milliseconds.
-- Tables are unqualified: the migrator runs this in the configured database (store.clickhouse.database).
CREATE TABLE IF NOT EXISTS rollups (
    tenant_id    String,
    event_type   String,
    spec         String,
    window_start DateTime('UTC'),
    window_end   DateTime('UTC'),
    count        UInt64,
    sum          Float64,
    min          Float64,
    max          Float64,
    kind         Enum8('early' = 1, 'final' = 2, 'late' = 3),
    version      UInt64,
    emitted_at   UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (tenant_id, spec, window_start, event_type)
SETTINGS index_granularity = 1024
