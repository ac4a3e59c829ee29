-- Live workers, for operators (`weft workers`) and for a run that waits on work nobody can take
-- (`weft describe` says so): each worker registers with the activities it has loaded and its
-- concurrency, beats every few seconds, and removes itself when it stops.
ALTER TABLE worker ADD COLUMN activities TEXT NOT NULL DEFAULT '[]';
ALTER TABLE worker ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 0;
