CREATE OR REPLACE VIEW marts.source_status AS
WITH last_attempt AS (
    SELECT * FROM meta.source_runs
    QUALIFY row_number() OVER (PARTITION BY source ORDER BY attempted_at DESC) = 1
), last_good AS (
    SELECT source, max(attempted_at) AS last_good_at, arg_max(origin, attempted_at) AS data_origin,
           arg_max(snapshot_date, attempted_at) AS data_snapshot_date, arg_max(row_count, attempted_at) AS row_count
    FROM meta.source_runs WHERE status <> 'failed' GROUP BY source
)
SELECT a.source, a.status AS last_status, a.attempted_at AS last_attempt_at, a.message AS last_message,
       g.data_origin, g.data_snapshot_date, g.row_count, g.last_good_at,
       (current_date - g.data_snapshot_date) AS data_age_days,
       (a.status = 'failed' OR g.data_origin <> 'live' OR g.data_snapshot_date < current_date) AS stale
FROM last_attempt a LEFT JOIN last_good g USING (source);
COMMENT ON VIEW marts.source_status IS 'Per source: the last ingest attempt (live, snapshot or failed, with its message) and the data the warehouse holds for it (origin, snapshot date, age, when it was last good). stale is true when the data is not today''s live data.';
