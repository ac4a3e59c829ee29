-- When the next unclaimed task of a kind falls due, found by one index seek (a worker asks
-- before it sleeps): MIN(due_at) over unleased rows of one kind.
CREATE INDEX task_kind_due_at_unleased_idx ON task (kind, due_at) WHERE lease_owner IS NULL;
