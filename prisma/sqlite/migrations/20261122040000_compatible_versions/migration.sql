-- A version may be declared compatible with an older one (`weft deploy --compatible-with N`):
-- runs started on that older version (or on one it was itself declared compatible with) then
-- resume on this version's code. Without a declaration a run only ever resumes on the code,
-- and the hash, it started with.
ALTER TABLE workflow_version ADD COLUMN compatible_with INTEGER;
