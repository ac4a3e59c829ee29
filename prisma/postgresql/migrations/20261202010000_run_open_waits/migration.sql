-- Where a workflow's open runs wait, per node (engine/run-store.ts waitsOf: the designer's
-- badges). SQLite reads it from an index on the wait columns (its migration of this name);
-- PostgreSQL does not get one: every step changes the wait columns, and an index on them would
-- cost each step its heap-only update (migration 20261201030000_run_waits: 27 instead of 8 µs a
-- row). It reads the workflow's open runs instead: measured with 100,000 open runs of one
-- workflow on a loaded machine, 100-210 ms (a parallel scan of the table).
SELECT 1;
