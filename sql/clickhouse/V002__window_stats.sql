-- V002: quantiles, distinct counts and anomaly scores of a window (windows.quantiles,
-- windows.distinct, windows.anomaly.*; see docs/windows.md), added to the existing table in place.
-- Rows written before, or by a job without these options, read as empty arrays and strings and NULL.
--
-- quantile_levels/quantiles: the configured levels (ascending) and the estimates, one per level.
-- quantile_sketch: the window's DDSketch (DDSketch.encode with its mapping, relative accuracy 1 %).
-- distinct_count/distinct_sketch: HyperLogLog estimate and canonical registers (P = 13).
-- anomaly_*: robust z-score of a final or late row against its key's trailing windows.
--
-- 18.16 has no ADD COLUMN IF NOT EXISTS: one ALTER per column, and the migrator treats "column
-- with this name already exists" (code 44) of an ADD COLUMN as done, so a rerun after a partial
-- run completes it.
ALTER TABLE rollups ADD COLUMN quantile_levels Array(Float64);
ALTER TABLE rollups ADD COLUMN quantiles Array(Float64);
ALTER TABLE rollups ADD COLUMN quantile_sketch String;
ALTER TABLE rollups ADD COLUMN distinct_count Nullable(UInt64);
ALTER TABLE rollups ADD COLUMN distinct_sketch String;
ALTER TABLE rollups ADD COLUMN anomaly_score Nullable(Float64);
ALTER TABLE rollups ADD COLUMN anomaly_baseline Nullable(Float64);
ALTER TABLE rollups ADD COLUMN anomaly_flagged Nullable(UInt8);
