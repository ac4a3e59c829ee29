// The registry of workers: each running worker has a row with what it can run, refreshed every
// few seconds, and removes it when it stops. Operators read it (`weft workers`), and `weft
// describe` uses it to say when a run waits on work that no live worker can take.

import type { SqlExecutor } from "./storage/types.ts";

/** How often a worker refreshes its row. */
export const WORKER_BEAT_MS = 5000;
/** A worker not heard from for this long is taken for gone (killed, or its machine down). */
export const WORKER_SILENCE_MS = 3 * WORKER_BEAT_MS;
/** Rows of workers gone for this long are deleted by the next worker that starts. */
const FORGET_AFTER_MS = 24 * 3600 * 1000;

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  /** The activity names it has loaded. */
  activities: string[];
  concurrency: number;
  startedAt: number;
  heartbeatAt: number;
}

export async function registerWorker(db: SqlExecutor, w: WorkerInfo): Promise<void> {
  await db.execute("DELETE FROM worker WHERE heartbeat_at < ?", [w.startedAt - FORGET_AFTER_MS]);
  await db.execute(
    "INSERT INTO worker (id, host, pid, started_at, heartbeat_at, activities, concurrency) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [w.id, w.host, w.pid, w.startedAt, w.heartbeatAt, JSON.stringify(w.activities), w.concurrency],
  );
}

export async function beatWorker(db: SqlExecutor, id: string, at: number): Promise<void> {
  await db.execute("UPDATE worker SET heartbeat_at = ? WHERE id = ?", [at, id]);
}

export async function unregisterWorker(db: SqlExecutor, id: string): Promise<void> {
  await db.execute("DELETE FROM worker WHERE id = ?", [id]);
}

/** Workers heard from within WORKER_SILENCE_MS of `now`, the longest-running first. */
export async function liveWorkers(db: SqlExecutor, now: number): Promise<WorkerInfo[]> {
  const rows = await db.query(
    "SELECT id, host, pid, started_at, heartbeat_at, activities, concurrency FROM worker WHERE heartbeat_at >= ? ORDER BY started_at, id",
    [now - WORKER_SILENCE_MS],
  );
  return rows.map((r) => ({
    id: String(r.id),
    host: String(r.host),
    pid: Number(r.pid),
    activities: JSON.parse(String(r.activities)) as string[],
    concurrency: Number(r.concurrency),
    startedAt: Number(r.started_at),
    heartbeatAt: Number(r.heartbeat_at),
  }));
}
