-- The approvals inbox (`weft approvals`, later GET /api/approvals) looks for approval requests
-- with no decision after them: this index holds only those events, so the look costs a seek
-- per request, not a scan of every history.
CREATE INDEX history_event_approval_idx ON history_event (run_id, seq) WHERE type = 'ApprovalRequested';
