-- The approvals inbox's index (engine/run-views.ts pendingApprovals) is SQLite's only: on
-- PostgreSQL an index on the wait columns would cost every step its heap-only update (migration
-- 20261201030000_run_waits), and the inbox reads the open runs through the status index.
SELECT 1;
