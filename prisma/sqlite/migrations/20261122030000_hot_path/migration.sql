-- The hot path of a step, cheaper: task rows are claimed through the partial (kind, due_at)
-- index on unleased rows and lease_until (task-store.ts), never in plain due_at order, and
-- every step inserts and deletes a task row: an index nobody reads is work for nothing.
DROP INDEX task_due_at_idx;
