// The append-only history of runs. Appends are guarded by the run's next_seq: a writer states
// the seq it expects, and a writer that lost a race (another worker advanced the run) appends
// nothing and learns it, instead of interleaving events.

import { isUndecryptable, type PayloadCodec } from "./codec.ts";
import type { HistoryEvent, RecordedEvent } from "./runtime/events.ts";
import type { SqlExecutor, SqlValue } from "./storage/types.ts";

export class SeqConflict extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} was advanced by someone else`);
    this.name = "SeqConflict";
  }
}

interface EventRow {
  seq: number;
  type: string;
  at: number;
  node_id: string | null;
  attempt: number | null;
  data: string | null;
}

/**
 * Appends events to a run whose next seq is `expectedSeq`, in the caller's transaction.
 * Throws SeqConflict (writing nothing) when the run has moved on. `wait`, when given, is where
 * the run waits after these events (run-store.ts RunWait; null: nowhere), set by the same update.
 */
export async function appendEvents(
  tx: SqlExecutor,
  codec: PayloadCodec,
  runId: string,
  expectedSeq: number,
  events: HistoryEvent[],
  at: number,
  wait?: { nodeId: string; kind: string; since: number; retrying: boolean; seq: number } | null,
): Promise<RecordedEvent[]> {
  if (events.length === 0) return [];
  const moved =
    wait === undefined
      ? await tx.execute("UPDATE run SET next_seq = next_seq + ?, updated_at = ? WHERE run_id = ? AND next_seq = ?", [events.length, at, runId, expectedSeq])
      : await tx.execute("UPDATE run SET next_seq = next_seq + ?, updated_at = ?, wait_node = ?, wait_kind = ?, wait_since = ?, wait_retrying = ?, wait_seq = ? WHERE run_id = ? AND next_seq = ?", [
          events.length,
          at,
          wait?.nodeId ?? null,
          wait?.kind ?? null,
          wait?.since ?? null,
          wait?.retrying ? 1 : 0,
          wait?.seq ?? null,
          runId,
          expectedSeq,
        ]);
  if (moved !== 1) throw new SeqConflict(runId);
  const recorded = events.map((e, i) => ({ ...e, seq: expectedSeq + i, at }) as RecordedEvent);
  const params: SqlValue[] = [];
  for (const e of recorded) params.push(...eventRow(codec, runId, e));
  const values = recorded.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ");
  await tx.execute(`INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data) VALUES ${values}`, params);
  return recorded;
}

/** Events as they are, each with its own seq and time (a history carried into a new run). */
export async function insertEvents(tx: SqlExecutor, codec: PayloadCodec, runId: string, events: RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const params: SqlValue[] = [];
  for (const e of events) params.push(...eventRow(codec, runId, e));
  await tx.execute(`INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data) VALUES ${events.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`, params);
}

export function eventRow(codec: PayloadCodec, runId: string, e: RecordedEvent): SqlValue[] {
  const { type, seq, at, ...rest } = e as RecordedEvent & { nodeId?: string; attempt?: number };
  const nodeId = "nodeId" in rest ? rest.nodeId : undefined;
  const attempt = "attempt" in rest ? rest.attempt : undefined;
  return [runId, seq, type, at, nodeId ?? null, attempt ?? null, codec.encode(rest)];
}

export async function loadHistory(db: SqlExecutor, codec: PayloadCodec, runId: string, afterSeq = 0): Promise<RecordedEvent[]> {
  const rows = await db.query<EventRow & Record<string, unknown>>(
    "SELECT seq, type, at, node_id, attempt, data FROM history_event WHERE run_id = ? AND seq > ? ORDER BY seq",
    [runId, afterSeq],
  );
  return rows.map((r) => decodeEvent(codec, r));
}

/** The histories of several runs, in one statement. */
export async function loadHistories(db: SqlExecutor, codec: PayloadCodec, runIds: string[]): Promise<Map<string, RecordedEvent[]>> {
  const out = new Map<string, RecordedEvent[]>();
  if (runIds.length === 0) return out;
  const rows = await db.query<EventRow & { run_id: string } & Record<string, unknown>>(
    `SELECT run_id, seq, type, at, node_id, attempt, data FROM history_event WHERE run_id IN (${runIds.map(() => "?").join(", ")}) ORDER BY run_id, seq`,
    runIds,
  );
  for (const r of rows) {
    const runId = String(r.run_id);
    let list = out.get(runId);
    if (!list) out.set(runId, (list = []));
    list.push(decodeEvent(codec, r));
  }
  return out;
}

export function decodeEvent(codec: PayloadCodec, r: EventRow): RecordedEvent {
  const rest = (r.data === null ? {} : codec.decode(r.data)) as Record<string, unknown>;
  if (isUndecryptable(rest)) {
    // Shown, not run (codec.ts showingUndecryptable): the event's type, place and time, and
    // the node and attempt its row keeps in the clear, with why the rest cannot be read.
    return { type: r.type, seq: Number(r.seq), at: Number(r.at), ...(r.node_id === null ? {} : { nodeId: r.node_id }), ...(r.attempt === null ? {} : { attempt: Number(r.attempt) }), ...rest } as unknown as RecordedEvent;
  }
  return { ...rest, type: r.type, seq: Number(r.seq), at: Number(r.at) } as RecordedEvent;
}
