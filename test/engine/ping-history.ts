// Long histories written straight to the database, as the operate benchmark and the long-run
// browser test need them: an open run of PING_PONG (documents.ts) with any number of events,
// in one transaction of multi-row INSERTs instead of thousands of signals through a worker.

import type { Engine } from "../../engine/engine.ts";
import type { SqlExecutor } from "../../engine/storage/types.ts";
import { PING_PONG as PING } from "./documents.ts";

export const RUN_COLUMNS = ["run_id", "workflow_id", "name", "version", "hash", "status", "input", "started_at", "first_run_id", "next_seq", "updated_at", "wait_node", "wait_kind", "wait_since", "wait_retrying", "wait_seq"];
export const EVENT_COLUMNS = ["run_id", "seq", "type", "at", "node_id", "attempt", "data"];

/** Rows of `columns`, as many at a time as one INSERT may bind. */
export async function insertRows(db: SqlExecutor, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const per = Math.floor(900 / columns.length);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await db.execute(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ")}`,
      chunk.flat() as never,
    );
  }
}

/**
 * An open run of PING (deployed as `version`, `hash`) with `events` events: started, then
 * signals taken at ping and pong in turn, and waiting for the next (its last event), its events
 * 10 ms apart and the last one now. Returns the run's id for appending more.
 */
export async function seedPingHistory(engine: Engine, workflowId: string, events: number, version: number, hash: string): Promise<string> {
  const runId = `${workflowId}-run`;
  const start = Date.now() - events * 10;
  const rows: unknown[][] = [];
  rows.push([runId, 1, "WorkflowStarted", start, null, null, engine.codec.encode({ workflowId, runId, name: PING.name, version, hash, input: {}, firstStartedAt: start, startedBy: "ops" })]);
  for (let seq = 2; seq <= events; seq++) rows.push(pingEvent(engine, runId, seq, start + seq * 10));
  const last = rows.at(-1)!;
  await engine.db.transaction(async (tx) => {
    await insertRows(tx, "run", RUN_COLUMNS, [[runId, workflowId, PING.name, version, hash, "running", engine.codec.encode({}), start, runId, events + 1, start, last[4], "signal", last[3], 0, events]]);
    await insertRows(tx, "history_event", EVENT_COLUMNS, rows);
  });
  return runId;
}

/** The event at `seq` of a PING history: even seqs begin a wait, odd ones take its signal. */
export function pingEvent(engine: Engine, runId: string, seq: number, at: number): unknown[] {
  const cmd = Math.floor(seq / 2);
  const nodeId = cmd % 2 === 1 ? "ping" : "pong";
  if (seq % 2 === 0) return [runId, seq, "SignalWaitStarted", at, nodeId, null, engine.codec.encode({ cmd, nodeId, signal: "ping" })];
  return [runId, seq, "SignalReceived", at, nodeId, null, engine.codec.encode({ cmd, nodeId, signal: "ping", payload: { n: cmd }, by: "ops" })];
}
