// The registry of workers: each running worker has a row with what it can run, refreshed every
// few seconds, and removes it when it stops. Operators read it (`weft workers`), and `weft
// describe` uses it to say when a run waits on work that no live worker can take; the app lists
// the activities they have loaded, with titles and input schemas, in the designer's palette.

import type { SqlExecutor } from "./storage/types.ts";
import type { ActivityInfo } from "./views.ts";

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

/** An activity as a worker registers it: what the designer's palette needs of its definition. */
export interface ActivityRegistration {
  name: string;
  title?: string;
  inputSchema?: unknown;
}

/** A worker's row as it registers: its activities with their titles and input schemas. */
export interface WorkerRegistration extends Omit<WorkerInfo, "activities"> {
  /** Definitions, or bare names (then the name is the title). */
  activities: (ActivityRegistration | string)[];
  /** PostgreSQL: the advisory lock it holds while alive (worker/liveness.ts). */
  lockKey?: number | null;
}

export async function registerWorker(db: SqlExecutor, w: WorkerRegistration): Promise<void> {
  // The column keeps each activity's name, title and input schema: the app's palette lists
  // them (liveActivities), `weft workers` and describe read the names.
  const activities = w.activities.map((a) => (typeof a === "string" ? { name: a } : a)).map((a) => ({
    name: a.name,
    ...(a.title === undefined ? {} : { title: a.title }),
    ...(a.inputSchema === undefined ? {} : { inputSchema: a.inputSchema }),
  }));
  await db.execute("DELETE FROM worker WHERE heartbeat_at < ?", [w.startedAt - FORGET_AFTER_MS]);
  await db.execute(
    "INSERT INTO worker (id, host, pid, started_at, heartbeat_at, activities, concurrency, lock_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [w.id, w.host, w.pid, w.startedAt, w.heartbeatAt, JSON.stringify(activities), w.concurrency, w.lockKey ?? null],
  );
}

/** The registered activities of a row: objects, or names alone in rows written before titles were kept. */
function registrations(json: string): ActivityRegistration[] {
  return (JSON.parse(json) as (ActivityRegistration | string)[]).map((a) => (typeof a === "string" ? { name: a } : a));
}

/** Resolves to false when the row is gone (another worker took this one for dead: it registers again). */
export async function beatWorker(db: SqlExecutor, id: string, at: number, lockKey?: number | null): Promise<boolean> {
  const n =
    lockKey === undefined
      ? await db.execute("UPDATE worker SET heartbeat_at = ? WHERE id = ?", [at, id])
      : await db.execute("UPDATE worker SET heartbeat_at = ?, lock_key = ? WHERE id = ?", [at, lockKey, id]);
  return n > 0;
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
    activities: registrations(String(r.activities)).map((a) => a.name),
    concurrency: Number(r.concurrency),
    startedAt: Number(r.started_at),
    heartbeatAt: Number(r.heartbeat_at),
  }));
}

/**
 * The activities live workers have loaded (heard from within WORKER_SILENCE_MS of `now`), once
 * per name, by title: what the designer's palette offers. Where workers disagree on a
 * definition, the most recently started one's wins (its plugins are likely the newest).
 */
export async function liveActivities(db: SqlExecutor, now: number): Promise<ActivityInfo[]> {
  const rows = await db.query("SELECT activities FROM worker WHERE heartbeat_at >= ? ORDER BY started_at, id", [now - WORKER_SILENCE_MS]);
  const byName = new Map<string, ActivityInfo>();
  for (const row of rows) {
    for (const a of registrations(String(row.activities))) {
      byName.set(a.name, { name: a.name, title: a.title ?? a.name, ...(a.inputSchema === undefined ? {} : { inputSchema: a.inputSchema }) });
    }
  }
  return [...byName.values()].sort((a, b) => a.title.localeCompare(b.title, "en") || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
