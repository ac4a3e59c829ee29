// The inbox of signals. A signal is stored the moment it is sent (even with no worker running)
// and waits there, in order, until a wait of its run takes it; taking it marks it with the seq
// of the history event that records it.

import type { PayloadCodec } from "./codec.ts";
import type { SqlExecutor } from "./storage/types.ts";

export interface StoredSignal {
  id: number;
  name: string;
  nodeId: string | null;
  payload: unknown;
  receivedAt: number;
  /** Who sent it (a person's name), when known. */
  sentBy: string | null;
}

/**
 * Stores a signal for a run, if the run is still running when the transaction writes it;
 * resolves to its id, or undefined when the run has ended or continued as new since it was
 * read. The check is part of the write, so that a signal is never acknowledged for a run that
 * can no longer take it: a run that continues as new moves the unconsumed signals it has to
 * the new run, and one stored for it after that move would be stranded. On PostgreSQL the row
 * lock (FOR SHARE) orders this write with the worker's, which updates the run before it moves
 * signals; on SQLite write transactions are serial anyway.
 */
export async function insertSignalIfRunning(
  tx: SqlExecutor,
  dialect: "sqlite" | "postgresql",
  codec: PayloadCodec,
  s: { runId: string; name: string; nodeId?: string; payload: unknown; at: number; by?: string },
): Promise<number | undefined> {
  const rows = await tx.query(
    `INSERT INTO signal (run_id, name, node_id, payload, received_at, sent_by)
     SELECT run_id, ?, ?, ?, ?, ? FROM run WHERE run_id = ? AND status = 'running'${dialect === "postgresql" ? " FOR SHARE" : ""}
     RETURNING id`,
    [s.name, s.nodeId ?? null, codec.encode(s.payload ?? null), s.at, s.by === undefined ? null : codec.encode(s.by), s.runId],
  );
  return rows.length === 0 ? undefined : Number(rows[0].id);
}

/**
 * Stores a decision (an `approve` or `decline` signal for approval node `nodeId`) like
 * insertSignalIfRunning, and only if no decision for that node is there already: one not yet
 * taken, or one taken after `requestSeq` (the request it answers). Resolves to its id, or to
 * the decision found there ({ existing }), or undefined when the run is no longer running.
 *
 * The check and the write must be one against a second decision sent at the same moment. On
 * SQLite, write transactions are serial. On PostgreSQL a NOT EXISTS in the INSERT does not see
 * a row another transaction has not committed yet, so two would both pass: deciders of a run
 * first take a transaction-scoped advisory lock named after it, and the statement that checks
 * and writes starts (and takes its snapshot) only once the other decider has committed.
 */
export async function insertDecisionIfFirst(
  tx: SqlExecutor,
  dialect: "sqlite" | "postgresql",
  codec: PayloadCodec,
  d: { runId: string; name: "approve" | "decline"; nodeId: string; requestSeq: number; payload: unknown; at: number; by: string },
): Promise<{ id: number } | { existing: StoredSignal } | undefined> {
  if (dialect === "postgresql") await tx.query("SELECT pg_advisory_xact_lock(hashtext(?))", [`weft:decide:${d.runId}`]);
  const rows = await tx.query(
    `INSERT INTO signal (run_id, name, node_id, payload, received_at, sent_by)
     SELECT run_id, ?, ?, ?, ?, ? FROM run WHERE run_id = ? AND status = 'running'
       AND NOT EXISTS (SELECT 1 FROM signal s WHERE s.run_id = ? AND s.node_id = ? AND s.name IN ('approve', 'decline')
                       AND (s.consumed_seq IS NULL OR s.consumed_seq > ?))${dialect === "postgresql" ? " FOR SHARE" : ""}
     RETURNING id`,
    [d.name, d.nodeId, codec.encode(d.payload), d.at, codec.encode(d.by), d.runId, d.runId, d.nodeId, d.requestSeq],
  );
  if (rows.length > 0) return { id: Number(rows[0].id) };
  const existing = await tx.query(
    `SELECT id, name, node_id, payload, received_at, sent_by FROM signal
     WHERE run_id = ? AND node_id = ? AND name IN ('approve', 'decline') AND (consumed_seq IS NULL OR consumed_seq > ?) ORDER BY id LIMIT 1`,
    [d.runId, d.nodeId, d.requestSeq],
  );
  return existing[0] ? { existing: toSignal(codec, existing[0]) } : undefined;
}

/** One approval of an approval that needs several (a quorum): who, when, why. */
export interface Vote {
  by: string;
  comment?: string;
  at: string;
}

/**
 * The name of a stored approval that does not yet make a quorum. No wait takes it (a signal
 * name cannot hold ":"); the decision that completes the quorum carries every approval.
 */
export const VOTE_SIGNAL = "approve:vote";

/**
 * Does a stored vote count for the request at `requestSeq`? Votes name the request they were
 * cast for; one cast for a request the run's code was about to make (`predicted`, its seq one
 * before the event that records it) counts for that request when it is recorded. A vote for an
 * earlier request at the same node (one that timed out) is older than both.
 */
export function voteCounts(voteSeq: number, requestSeq: number, predicted = false): boolean {
  return voteSeq === requestSeq || (!predicted && voteSeq === requestSeq - 1);
}

/**
 * A decision on an approval that needs `quorum` distinct approvers: an approval that does not
 * complete the quorum is stored as a vote (VOTE_SIGNAL), one that does (or a decline) as the
 * `approve` or `decline` signal the run waits for, its payload listing every approval, and the
 * votes are marked taken. Resolves to { id, approvals, final }, or { existing } when a decision
 * is there already, or { voted } when `by` approved this request already, or undefined when
 * the run is no longer running. Deciders of a run take turns (see insertDecisionIfFirst).
 */
export async function insertQuorumDecision(
  tx: SqlExecutor,
  dialect: "sqlite" | "postgresql",
  codec: PayloadCodec,
  d: {
    runId: string;
    name: "approve" | "decline";
    nodeId: string;
    requestSeq: number;
    predicted: boolean;
    quorum: number;
    payload: { nodeId: string; by: string; comment?: string };
    at: number;
    by: string;
  },
): Promise<{ id: number; approvals: Vote[]; final: boolean } | { existing: StoredSignal } | { voted: Vote } | undefined> {
  if (dialect === "postgresql") await tx.query("SELECT pg_advisory_xact_lock(hashtext(?))", [`weft:decide:${d.runId}`]);
  const decided = await tx.query(
    `SELECT id, name, node_id, payload, received_at, sent_by FROM signal
     WHERE run_id = ? AND node_id = ? AND name IN ('approve', 'decline') AND (consumed_seq IS NULL OR consumed_seq > ?) ORDER BY id LIMIT 1`,
    [d.runId, d.nodeId, d.requestSeq],
  );
  if (decided[0]) return { existing: toSignal(codec, decided[0]) };
  const votes = (await votesOf(tx, codec, [d.runId])).filter((v) => v.nodeId === d.nodeId && voteCounts(v.requestSeq, d.requestSeq, d.predicted));
  const vote: Vote = { by: d.by, ...(d.payload.comment === undefined ? {} : { comment: d.payload.comment }), at: new Date(d.at).toISOString() };
  if (d.name === "approve") {
    const again = votes.find((v) => v.vote.by === d.by);
    if (again) return { voted: again.vote };
  }
  const approvals = [...votes.map((v) => v.vote), ...(d.name === "approve" ? [vote] : [])];
  const final = d.name === "decline" || approvals.length >= d.quorum;
  const name = final ? d.name : VOTE_SIGNAL;
  const payload = final ? { ...d.payload, approvals } : { ...d.payload, requestSeq: d.requestSeq };
  const rows = await tx.query(
    `INSERT INTO signal (run_id, name, node_id, payload, received_at, sent_by)
     SELECT run_id, ?, ?, ?, ?, ? FROM run WHERE run_id = ? AND status = 'running'${dialect === "postgresql" ? " FOR SHARE" : ""}
     RETURNING id`,
    [name, d.nodeId, codec.encode(payload), d.at, codec.encode(d.by), d.runId],
  );
  if (rows.length === 0) return undefined;
  if (final && votes.length > 0) {
    // Taken: carried by the decision. Marked with the request's seq (no event records a vote).
    await tx.execute(`UPDATE signal SET consumed_seq = ? WHERE id IN (${votes.map(() => "?").join(", ")})`, [d.requestSeq, ...votes.map((v) => v.id)]);
  }
  return { id: Number(rows[0].id), approvals, final };
}

/** The votes not yet carried by a decision of these runs, oldest first (see insertQuorumDecision). */
export async function votesOf(
  db: SqlExecutor,
  codec: PayloadCodec,
  runIds: string[],
): Promise<{ id: number; runId: string; nodeId: string; requestSeq: number; vote: Vote }[]> {
  if (runIds.length === 0) return [];
  const rows = await db.query(
    `SELECT id, run_id, node_id, payload, received_at, sent_by FROM signal
     WHERE run_id IN (${runIds.map(() => "?").join(", ")}) AND name = ? AND consumed_seq IS NULL ORDER BY id`,
    [...runIds, VOTE_SIGNAL],
  );
  return rows.map((r) => {
    const s = toSignal(codec, r);
    const p = (s.payload ?? {}) as { by?: string; comment?: string; requestSeq?: number };
    const by = s.sentBy ?? p.by ?? "unknown";
    return {
      id: s.id,
      runId: String(r.run_id),
      nodeId: s.nodeId ?? "",
      requestSeq: Number(p.requestSeq ?? -1),
      vote: { by, ...(p.comment === undefined ? {} : { comment: p.comment }), at: new Date(s.receivedAt).toISOString() },
    };
  });
}

/** A decision (an `approve` or `decline` signal) stored and acknowledged, not yet taken by its run. */
export interface WaitingDecision {
  /** The stored signal's id. */
  id: number;
  runId: string;
  nodeId: string;
  approved: boolean;
  by: string;
  comment?: string;
  at: string;
}

/**
 * The decisions of these runs that no wait has taken yet: each acknowledged to its
 * decider (a further one is a CONFLICT), while the run still waits until a worker takes it.
 */
export async function decisionsOf(db: SqlExecutor, codec: PayloadCodec, runIds: string[]): Promise<WaitingDecision[]> {
  if (runIds.length === 0) return [];
  const out: WaitingDecision[] = [];
  for (let from = 0; from < runIds.length; from += 500) {
    const chunk = runIds.slice(from, from + 500);
    const rows = await db.query(
      `SELECT id, run_id, name, node_id, payload, received_at, sent_by FROM signal
       WHERE run_id IN (${chunk.map(() => "?").join(", ")}) AND consumed_seq IS NULL AND name IN ('approve', 'decline') AND node_id IS NOT NULL ORDER BY id`,
      chunk,
    );
    for (const r of rows) {
      const s = toSignal(codec, r);
      const p = (s.payload ?? {}) as { by?: unknown; comment?: unknown };
      const by = s.sentBy ?? (typeof p.by === "string" ? p.by : "unknown");
      out.push({
        id: s.id,
        runId: String(r.run_id),
        nodeId: s.nodeId ?? "",
        approved: s.name === "approve",
        by,
        ...(typeof p.comment === "string" && p.comment !== "" ? { comment: p.comment } : {}),
        at: new Date(s.receivedAt).toISOString(),
      });
    }
  }
  return out;
}

/** The oldest unconsumed signal of a run with one of `names` (and for `nodeId`, if given). */
export async function nextSignal(
  db: SqlExecutor,
  codec: PayloadCodec,
  runId: string,
  names: string[],
  nodeId: string | undefined,
  skip: number[] = [],
): Promise<StoredSignal | undefined> {
  const nodeFilter = nodeId === undefined ? "" : " AND node_id = ?";
  const skipFilter = skip.length === 0 ? "" : ` AND id NOT IN (${skip.map(() => "?").join(", ")})`;
  const rows = await db.query(
    `SELECT id, name, node_id, payload, received_at, sent_by FROM signal WHERE run_id = ? AND consumed_seq IS NULL AND name IN (${names.map(() => "?").join(", ")})${nodeFilter}${skipFilter} ORDER BY id LIMIT 1`,
    [runId, ...names, ...(nodeId === undefined ? [] : [nodeId]), ...skip],
  );
  return rows[0] ? toSignal(codec, rows[0]) : undefined;
}

function toSignal(codec: PayloadCodec, r: Record<string, unknown>): StoredSignal {
  return {
    id: Number(r.id),
    name: String(r.name),
    nodeId: (r.node_id as string | null) ?? null,
    payload: r.payload === null ? null : codec.decode(String(r.payload)),
    receivedAt: Number(r.received_at),
    sentBy: r.sent_by === null || r.sent_by === undefined ? null : String(codec.decode(String(r.sent_by))),
  };
}

export async function consumeSignal(tx: SqlExecutor, id: number, seq: number): Promise<boolean> {
  return (await tx.execute("UPDATE signal SET consumed_seq = ? WHERE id = ? AND consumed_seq IS NULL", [seq, id])) === 1;
}

/** Unconsumed signals follow a run that continues as new. */
export async function moveSignals(tx: SqlExecutor, fromRunId: string, toRunId: string): Promise<void> {
  await tx.execute("UPDATE signal SET run_id = ? WHERE run_id = ? AND consumed_seq IS NULL", [toRunId, fromRunId]);
}
