-- What an attempt last reported with ctx.heartbeat(details), through the payload codec: the
-- next attempt of the same step (a retry, or a takeover after its worker died) reads it as
-- ctx.heartbeatDetails and can carry on from there.
ALTER TABLE task ADD COLUMN heartbeat TEXT;
