-- Issue 12: a held run's page says in plain words where its replay broke, what the history
-- recorded there and what the new code does instead. The non-determinism error's fields, kept
-- with the hold as JSON { code, nodeId?, seq?, expected?, actual? } (engine/runtime/events.ts
-- Divergence: command kinds, node ids, activity and signal names; no payloads, so not encoded).
-- Null for runs held before it was kept: their page shows the reason alone.
ALTER TABLE run ADD COLUMN held_detail TEXT;
