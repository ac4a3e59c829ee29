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
  s: { runId: string; name: string; nodeId?: string; payload: unknown; at: number },
): Promise<number | undefined> {
  const rows = await tx.query(
    `INSERT INTO signal (run_id, name, node_id, payload, received_at)
     SELECT run_id, ?, ?, ?, ? FROM run WHERE run_id = ? AND status = 'running'${dialect === "postgresql" ? " FOR SHARE" : ""}
     RETURNING id`,
    [s.name, s.nodeId ?? null, codec.encode(s.payload ?? null), s.at, s.runId],
  );
  return rows.length === 0 ? undefined : Number(rows[0].id);
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
    `SELECT id, name, node_id, payload, received_at FROM signal WHERE run_id = ? AND consumed_seq IS NULL AND name IN (${names.map(() => "?").join(", ")})${nodeFilter}${skipFilter} ORDER BY id LIMIT 1`,
    [runId, ...names, ...(nodeId === undefined ? [] : [nodeId]), ...skip],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: Number(r.id),
    name: String(r.name),
    nodeId: (r.node_id as string | null) ?? null,
    payload: r.payload === null ? null : codec.decode(String(r.payload)),
    receivedAt: Number(r.received_at),
  };
}

export async function consumeSignal(tx: SqlExecutor, id: number, seq: number): Promise<boolean> {
  return (await tx.execute("UPDATE signal SET consumed_seq = ? WHERE id = ? AND consumed_seq IS NULL", [seq, id])) === 1;
}

/** Unconsumed signals follow a run that continues as new. */
export async function moveSignals(tx: SqlExecutor, fromRunId: string, toRunId: string): Promise<void> {
  await tx.execute("UPDATE signal SET run_id = ? WHERE run_id = ? AND consumed_seq IS NULL", [toRunId, fromRunId]);
}
