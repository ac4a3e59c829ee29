-- What the app shows of workflows (engine/facade.ts):
-- - who deployed each version (null for versions deployed before, and from the command line);
-- - what each version waits for from outside, `{ "signals": [...], "approvals": [...] }` (JSON),
--   from the compiler at deploy, so that a signal or decision is checked without reading and
--   parsing stored documents. Null for versions deployed before this migration: the engine
--   computes those from their document on first use and stores the answer (version-store.ts).
-- - who saved each draft last, and its revision, which counts saves: the designer sends back
--   the revision it loaded, and a save over a newer one is refused (a conflict) unless forced.
ALTER TABLE workflow_version ADD COLUMN deployed_by TEXT;
ALTER TABLE workflow_version ADD COLUMN waits TEXT;
ALTER TABLE draft ADD COLUMN updated_by TEXT;
ALTER TABLE draft ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
