-- Issue 10, items 3 and 4.
--
-- 1. setting: facts about the database itself, one row each. Row "codec" says whether its
--    payloads are encrypted and by which key, as a fingerprint (the first 8 bytes of the key's
--    SHA-256, never the key): JSON { encrypted, key?, previous? } (engine/codec-keys.ts). A
--    process with no key or another key refuses to write, instead of storing plaintext or
--    ciphertext nobody else can read beside the others.
CREATE TABLE setting (
    name       TEXT             NOT NULL,
    value      TEXT             NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    CONSTRAINT setting_pkey PRIMARY KEY (name)
);

-- 2. A held run: its code no longer replays its history (a non-determinism error), so it is
--    held where it is instead of failed, until a version it replays on is deployed
--    --compatible-with its own. The node where the replay broke, why, since when, and the
--    version whose code it broke on. Not indexed (a held run is rare, and the hot-path update
--    of the run stays heap-only on PostgreSQL: migration 20261122030000_hot_path).
ALTER TABLE run ADD COLUMN held_node TEXT;
ALTER TABLE run ADD COLUMN held_reason TEXT;
ALTER TABLE run ADD COLUMN held_since DOUBLE PRECISION;
ALTER TABLE run ADD COLUMN held_version INTEGER;
