-- V001: the window-rollup table of the store sink (Postgres).
--
-- One row per window: key (tenant_id, spec, window_start, event_type), i.e. the changelog key
-- (tenant_id, event_type, spec, window_start) in the order that serves the read query
-- "windows of spec S for tenant T between t1 and t2, optionally of one event type":
-- tenant_id and spec are equality columns, window_start is the range, so the rows of a dashboard
-- (all event types of a tenant and spec in a time range) are one contiguous primary-key index range.
-- event_type comes last: with a type given the scan also reads the range's other types of that
-- tenant (few), which beats a separate index range per type when no type is given.
--
-- The sink upserts with INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE version < EXCLUDED.version:
-- a row is only replaced by a higher version (version = 2 * count + closed, monotonic in content),
-- so replays, duplicates and out-of-order deliveries leave the newest content.
-- fillfactor 90 leaves room on each page for HOT updates (no key column changes on an upsert).
-- ${table} is the configured table name (store.postgres.table), validated as an identifier.
CREATE TABLE IF NOT EXISTS ${table} (
    tenant_id    text COLLATE "C" NOT NULL,
    event_type   text COLLATE "C" NOT NULL,
    spec         text COLLATE "C" NOT NULL,
    window_start timestamptz      NOT NULL,
    window_end   timestamptz      NOT NULL,
    count        bigint           NOT NULL,
    sum          double precision NOT NULL,
    min          double precision NOT NULL,
    max          double precision NOT NULL,
    kind         text             NOT NULL CHECK (kind IN ('early', 'final', 'late')),
    version      bigint           NOT NULL,
    emitted_at   timestamptz      NOT NULL,
    CONSTRAINT ${table}_pkey PRIMARY KEY (tenant_id, spec, window_start, event_type)
) WITH (fillfactor = 90);
