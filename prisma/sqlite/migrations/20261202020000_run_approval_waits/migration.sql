-- The approvals inbox (engine/run-views.ts pendingApprovals) reads the open runs that wait at an
-- approval, oldest wait first, with what it needs of each: from this index alone, in its order,
-- instead of the open runs through the status index and a sort. Partial: a run is in it only
-- while it waits for a decision, so a step elsewhere changes nothing here. SQLite only, like
-- run_open_waits_idx (migration 20261202010000_run_open_waits says why PostgreSQL is not given
-- one on the wait columns).
CREATE INDEX run_approval_waits_idx ON run (wait_since, run_id, workflow_id, wait_seq, name) WHERE status = 'running' AND wait_kind = 'approval';
