-- A worker that dies during an activity loses that attempt, and the attempt counts (issue 10):
-- the next worker to claim the task records it as failed with WorkerLost before the step is
-- tried again, so the retry policy (backoff, maximum attempts) bounds an activity that kills
-- its worker every time.
--
-- 1. task.lost_by: the worker whose lease a claim took over (its lease ran out, or its death
--    was detected), set by the claim from the row's old lease_owner in the same UPDATE and
--    returned by it: the claimer learns, at no extra statement, that the attempt it holds now
--    was lost, and with whom. Kept until the loss is recorded (should the claimer die first,
--    the next one still names the worker the attempt ran on); cleared when the task is
--    rescheduled. Not indexed: nothing searches by it.
ALTER TABLE task ADD COLUMN lost_by TEXT;

-- 2. worker.lock_key: on PostgreSQL each worker holds a session-level advisory lock
--    (classid hashtext('weft:worker:' || schema), objid lock_key) on a connection of its own,
--    which the server releases the moment that connection dies. A registered worker whose lock
--    nobody holds is dead, and its leases end at once instead of a whole lease later. Null for
--    workers that hold none (SQLite, where a worker's process is checked by pid, and workers of
--    earlier versions, which are never taken for dead this way).
ALTER TABLE worker ADD COLUMN lock_key INTEGER;
