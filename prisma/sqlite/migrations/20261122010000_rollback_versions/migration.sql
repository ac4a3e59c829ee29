-- Rolling back: deploying an older document again stores it as a new version, so one hash may
-- appear under several versions of a name. The index stays, for finding a version by hash.
DROP INDEX workflow_version_name_hash_key;
CREATE INDEX workflow_version_name_hash_idx ON workflow_version (name, hash);
