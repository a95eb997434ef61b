-- V003: the rollup table becomes partitioned by UTC day of window_start, so retention drops whole
-- days (DROP TABLE of a partition: no row deletes, no vacuum debt, instant) instead of deleting rows.
--
-- Layout: ${table} PARTITION BY RANGE (window_start); one partition per day, ${table}_pYYYYMMDD,
-- [day 00:00 UTC, next day 00:00 UTC); and ${table}_default, the DEFAULT partition, which catches a
-- row whose day has no partition yet (a row written by hand or by a tool that does not ensure its
-- day first, or a late row of a day retention has already dropped), so no insert ever fails on a
-- missing partition. The primary key is unchanged (it includes the partition key), so the sink's
-- version-guarded upsert (ON CONFLICT) works as before, per partition.
--
-- ${table}_ensure_partition(day) creates a day's partition when missing, moving that day's rows out
-- of the default partition first (a partition cannot be added while the default holds rows of its
-- range); the sink calls it once per new day before writing (sinks/PostgresCopyWriter). Concurrent
-- callers serialize on an advisory lock per partition, so two sinks never race to create one day.
--
-- An existing unpartitioned table (V001/V002) is converted in place: renamed, its rows copied into
-- the new partitioned table, moved into their days' partitions, and dropped, all in the migration's
-- transaction. Rerunning is a no-op (the DO block returns when the table is already partitioned).
CREATE OR REPLACE FUNCTION ${table}_ensure_partition(day date) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    part text := '${table}_p' || to_char(day, 'YYYYMMDD');
    lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('${table}'), hashtext(part));
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (fillfactor = 90)', part);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE window_start >= %L AND window_start < %L RETURNING *)'
        ' INSERT INTO %I SELECT * FROM moved', '${table}_default', lo, hi, part);
    EXECUTE format('ALTER TABLE ${table} ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
END
$fn$;

DO $do$
DECLARE
    d date;
BEGIN
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('${table}')) = 'p' THEN
        RETURN;
    END IF;
    ALTER TABLE ${table} RENAME TO ${table}_unpartitioned;
    ALTER INDEX ${table}_pkey RENAME TO ${table}_unpartitioned_pkey;
    CREATE TABLE ${table} (
        LIKE ${table}_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
        CONSTRAINT ${table}_pkey PRIMARY KEY (tenant_id, spec, window_start, event_type)
    ) PARTITION BY RANGE (window_start);
    CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT WITH (fillfactor = 90);
    INSERT INTO ${table} SELECT * FROM ${table}_unpartitioned;
    FOR d IN SELECT DISTINCT (window_start AT TIME ZONE 'UTC')::date FROM ${table}_unpartitioned LOOP
        PERFORM ${table}_ensure_partition(d);
    END LOOP;
    DROP TABLE ${table}_unpartitioned;
END
$do$;
