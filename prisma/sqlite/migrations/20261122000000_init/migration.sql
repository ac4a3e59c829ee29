-- Weft storage, SQLite. Hand-written (prisma migrate cannot run here); it must match
-- prisma/models.prisma, which test/engine/storage.test.ts checks by running every model
-- through the generated client against a database migrated from these files.
-- Applied by engine/storage/migrate.ts inside one BEGIN IMMEDIATE transaction.

CREATE TABLE workflow_version (
    name       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    document   TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    created_at REAL    NOT NULL,
    CONSTRAINT workflow_version_pkey PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX workflow_version_name_hash_key ON workflow_version (name, hash);

CREATE TABLE draft (
    name       TEXT NOT NULL CONSTRAINT draft_pkey PRIMARY KEY,
    document   TEXT NOT NULL,
    updated_at REAL NOT NULL
);

CREATE TABLE run (
    run_id                TEXT    NOT NULL CONSTRAINT run_pkey PRIMARY KEY,
    workflow_id           TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    version               INTEGER NOT NULL,
    hash                  TEXT    NOT NULL,
    status                TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'terminated', 'continued')),
    input                 TEXT,
    result                TEXT,
    error                 TEXT,
    started_at            REAL    NOT NULL,
    closed_at             REAL,
    first_run_id          TEXT    NOT NULL,
    continued_from_run_id TEXT,
    next_seq              INTEGER NOT NULL DEFAULT 1,
    updated_at            REAL    NOT NULL,
    CONSTRAINT run_name_version_fkey FOREIGN KEY (name, version) REFERENCES workflow_version (name, version) ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX run_workflow_id_started_at_idx ON run (workflow_id, started_at);
CREATE INDEX run_status_name_idx ON run (status, name);
CREATE INDEX run_name_version_idx ON run (name, version);
-- Workflow ids are unique among open runs: a database constraint, not a check-then-insert.
CREATE UNIQUE INDEX run_open_workflow_id_key ON run (workflow_id) WHERE status = 'running';

CREATE TABLE history_event (
    run_id  TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    type    TEXT    NOT NULL,
    at      REAL    NOT NULL,
    node_id TEXT,
    attempt INTEGER,
    data    TEXT,
    CONSTRAINT history_event_pkey PRIMARY KEY (run_id, seq),
    CONSTRAINT history_event_run_id_fkey FOREIGN KEY (run_id) REFERENCES run (run_id) ON DELETE CASCADE ON UPDATE CASCADE
);

-- AUTOINCREMENT: ids are never reused, so a stale worker holding an old id cannot touch a
-- newer row that happens to get the same id.
CREATE TABLE task (
    id          INTEGER NOT NULL CONSTRAINT task_pkey PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('workflow', 'activity', 'timer')),
    due_at      REAL    NOT NULL,
    node_id     TEXT,
    attempt     INTEGER,
    data        TEXT,
    lease_owner TEXT,
    lease_until REAL,
    CONSTRAINT task_run_id_fkey FOREIGN KEY (run_id) REFERENCES run (run_id) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX task_due_at_idx ON task (due_at);
CREATE INDEX task_lease_until_idx ON task (lease_until);
CREATE INDEX task_run_id_idx ON task (run_id);
-- At most one unclaimed workflow task per run: wake-ups coalesce with
-- INSERT ... ON CONFLICT DO NOTHING. A claimed one (lease_owner set) frees the slot, so an
-- event arriving while a worker holds the run still leaves a task behind.
CREATE UNIQUE INDEX task_pending_workflow_task_key ON task (run_id) WHERE kind = 'workflow' AND lease_owner IS NULL;

CREATE TABLE signal (
    id           INTEGER NOT NULL CONSTRAINT signal_pkey PRIMARY KEY AUTOINCREMENT,
    run_id       TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    node_id      TEXT,
    payload      TEXT,
    received_at  REAL    NOT NULL,
    consumed_seq INTEGER,
    CONSTRAINT signal_run_id_fkey FOREIGN KEY (run_id) REFERENCES run (run_id) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX signal_run_id_consumed_seq_idx ON signal (run_id, consumed_seq);

CREATE TABLE worker (
    id           TEXT    NOT NULL CONSTRAINT worker_pkey PRIMARY KEY,
    host         TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   REAL    NOT NULL,
    heartbeat_at REAL    NOT NULL
);
CREATE INDEX worker_heartbeat_at_idx ON worker (heartbeat_at);
