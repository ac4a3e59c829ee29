-- What the runs list and the workflow's "waiting" view need of runs (engine/run-store.ts).
--
-- 1. Where an open run waits: the node (null when it waits nowhere: not started yet, or closed),
--    for what ('activity', 'timer', 'approval' or 'signal'), since when (epoch ms), whether for
--    a failed step's next attempt (0/1), and the seq of the history event that began the wait
--    (the approvals inbox finds the runs waiting at an approval, and reads their requests by
--    it, without a search of every history). The
--    worker sets them in the statement that advances the run, so they cost a step nothing
--    beyond three more values in an update it makes anyway. They are NOT indexed, on purpose:
--    every step changes the node, and on PostgreSQL an update that changes an indexed column
--    cannot be a heap-only update (migration 20261122030000_hot_path), so it would write a new
--    entry in each of the run's indexes on every step (measured: 27 instead of 8 µs per row).
--    The queries that filter on them read the open runs of a workflow (through the status
--    indexes), which are few next to all runs.
ALTER TABLE run ADD COLUMN wait_node TEXT;
ALTER TABLE run ADD COLUMN wait_since DOUBLE PRECISION;
ALTER TABLE run ADD COLUMN wait_retrying INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run ADD COLUMN wait_seq INTEGER;
ALTER TABLE run ADD COLUMN wait_kind TEXT;

-- Runs open before this migration: where their history says they wait (its last command; the
-- runtime is sequential, and a step appends the next command with the result of the last), and
-- retrying when the last event is an attempt that failed (a final failure ends the run or
-- schedules the next command in the same step).
UPDATE run SET
    wait_node = (SELECT c.node_id FROM history_event c
                 WHERE c.run_id = run.run_id AND c.type IN ('ActivityScheduled', 'TimerStarted', 'ApprovalRequested', 'SignalWaitStarted')
                 ORDER BY c.seq DESC LIMIT 1),
    wait_since = (SELECT c.at FROM history_event c
                  WHERE c.run_id = run.run_id AND c.type IN ('ActivityScheduled', 'TimerStarted', 'ApprovalRequested', 'SignalWaitStarted')
                  ORDER BY c.seq DESC LIMIT 1),
    wait_seq = (SELECT c.seq FROM history_event c
                WHERE c.run_id = run.run_id AND c.type IN ('ActivityScheduled', 'TimerStarted', 'ApprovalRequested', 'SignalWaitStarted')
                ORDER BY c.seq DESC LIMIT 1),
    wait_kind = (SELECT CASE c.type WHEN 'ActivityScheduled' THEN 'activity' WHEN 'TimerStarted' THEN 'timer' WHEN 'ApprovalRequested' THEN 'approval' ELSE 'signal' END
                 FROM history_event c
                 WHERE c.run_id = run.run_id AND c.type IN ('ActivityScheduled', 'TimerStarted', 'ApprovalRequested', 'SignalWaitStarted')
                 ORDER BY c.seq DESC LIMIT 1),
    wait_retrying = CASE WHEN (SELECT l.type FROM history_event l WHERE l.run_id = run.run_id ORDER BY l.seq DESC LIMIT 1) = 'ActivityFailed' THEN 1 ELSE 0 END
WHERE status = 'running';

-- 2. The runs list, newest first, a page at a time (keyset on started_at, run_id): one index per
--    way it is filtered, so a page is a walk of the first entries of one index.
CREATE INDEX run_started_at_run_id_idx ON run (started_at, run_id);
CREATE INDEX run_status_started_at_run_id_idx ON run (status, started_at, run_id);
CREATE INDEX run_name_started_at_run_id_idx ON run (name, started_at, run_id);
--    By workflow id prefix: a range on workflow_id in code-point order (COLLATE "C"), whatever
--    the database's collation: under a linguistic one (en_US.UTF-8) punctuation and case weigh
--    less than letters, and the ids that start with a prefix are then no range of the order.
CREATE INDEX run_workflow_id_c_idx ON run (workflow_id COLLATE "C", started_at);

-- 3. Who sent a signal or took a decision (a person's name, through the payload codec like the
--    payload itself: the history shows it as SignalReceived's `by`).
ALTER TABLE signal ADD COLUMN sent_by TEXT;
