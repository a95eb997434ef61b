-- V002: quantiles, distinct counts and anomaly scores of a window (windows.quantiles,
-- windows.distinct, windows.anomaly.*; see docs/windows.md). Existing tables are upgraded in place:
-- every new column is nullable, so old rows and rows of a job without these options keep NULL.
--
-- quantile_levels/quantiles: the configured levels (ascending) and the estimates, one per level.
-- quantile_sketch: the window's DDSketch in the library's binary encoding (DDSketch.encode with its
--   index mapping; DDSketch.decode reads it), relative accuracy 1 %: merge windows' sketches for longer ranges.
-- distinct_count/distinct_sketch: the HyperLogLog estimate and its canonical registers (P = 13;
--   format in operators/DistinctSketch): merge sketches (register-wise max) for longer ranges.
-- anomaly_*: the robust z-score of a final or late row against its key's trailing windows.
-- ADD COLUMN IF NOT EXISTS keeps the script idempotent like V001.
ALTER TABLE ${table}
    ADD COLUMN IF NOT EXISTS quantile_levels  double precision[],
    ADD COLUMN IF NOT EXISTS quantiles        double precision[],
    ADD COLUMN IF NOT EXISTS quantile_sketch  bytea,
    ADD COLUMN IF NOT EXISTS distinct_count   bigint,
    ADD COLUMN IF NOT EXISTS distinct_sketch  bytea,
    ADD COLUMN IF NOT EXISTS anomaly_score    double precision,
    ADD COLUMN IF NOT EXISTS anomaly_baseline double precision,
    ADD COLUMN IF NOT EXISTS anomaly_flagged  boolean;
