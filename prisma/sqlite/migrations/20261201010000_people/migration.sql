-- People who sign in to the app, their browser sessions and their bearer tokens
-- (engine/people.ts). Sessions and tokens are stored as the sha256 of the secret only, so a
-- copy of the database signs nobody in; removing a person removes both (ON DELETE CASCADE).

CREATE TABLE person (
    name          TEXT NOT NULL CONSTRAINT person_pkey PRIMARY KEY,
    display_name  TEXT NOT NULL,
    -- a JSON array of role names
    roles         TEXT NOT NULL DEFAULT '[]',
    -- scrypt$N$r$p$salt$hash (base64), never the password
    password_hash TEXT NOT NULL,
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL
);

CREATE TABLE web_session (
    id_hash      TEXT NOT NULL CONSTRAINT web_session_pkey PRIMARY KEY,
    person_name  TEXT NOT NULL,
    created_at   REAL NOT NULL,
    -- the absolute end (created_at + 7 days); the idle limit is counted from last_seen_at
    expires_at   REAL NOT NULL,
    last_seen_at REAL NOT NULL,
    address      TEXT,
    CONSTRAINT web_session_person_name_fkey FOREIGN KEY (person_name) REFERENCES person (name) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX web_session_person_name_idx ON web_session (person_name);

CREATE TABLE api_token (
    id           TEXT NOT NULL CONSTRAINT api_token_pkey PRIMARY KEY,
    person_name  TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL,
    created_at   REAL NOT NULL,
    last_used_at REAL,
    revoked_at   REAL,
    CONSTRAINT api_token_person_name_fkey FOREIGN KEY (person_name) REFERENCES person (name) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX api_token_token_hash_key ON api_token (token_hash);
CREATE INDEX api_token_person_name_idx ON api_token (person_name);
