-- Where a workflow's open runs wait, per node (engine/run-store.ts waitsOf: the designer's
-- badges), read from an index alone, in the order it groups by. SQLite only: it has no
-- heap-only updates to lose (migration 20261201030000_run_waits says why PostgreSQL keeps the
-- wait columns unindexed), and a step's update of the wait columns costs one more b-tree change.
-- Measured with 100,000 open runs of one workflow on a loaded machine: the read took 176-241 ms
-- as a scan of the table and 67-70 ms from this index; 20,000 updates of a run's wait took 58-77
-- µs a row without it and 82-83 µs with it (a step's commit costs milliseconds). Partial: closed
-- runs, the many, are not in it.
CREATE INDEX run_open_waits_idx ON run (name, wait_node, wait_kind, version, wait_since, wait_retrying) WHERE status = 'running';
