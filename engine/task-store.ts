// The queue of due work: workflow tasks (something happened to a run), activity tasks (an
// attempt to run) and timers. Workers claim rows with a lease; a row whose lease ran out (its
// worker died) is claimed again. PostgreSQL claims with FOR UPDATE SKIP LOCKED so that workers
// never wait on each other; SQLite has one writer at a time, so a single UPDATE … RETURNING is
// already atomic.

import type { PayloadCodec } from "./codec.ts";
import type { HistoryEvent } from "./runtime/events.ts";
import type { StepOptions } from "./runtime/workflow-api.ts";
import type { Database, SqlExecutor, SqlValue } from "./storage/types.ts";

export type TaskKind = "workflow" | "activity" | "timer";

export interface TaskRow {
  id: number;
  runId: string;
  kind: TaskKind;
  dueAt: number;
  nodeId: string | null;
  attempt: number | null;
  data: string | null;
  /** What the last attempt reported with ctx.heartbeat(details), encoded (activity tasks). */
  heartbeat: string | null;
  /**
   * The worker this claim took the task over from: its lease ran out, or the worker was found
   * dead and its leases ended (liveness.ts). Null when the task was free. For an activity task
   * it means that worker's attempt was lost, and the attempt counts (WorkerLost).
   */
  lostBy: string | null;
}

export interface NewTask {
  runId: string;
  kind: TaskKind;
  dueAt: number;
  nodeId?: string;
  attempt?: number;
  data?: string;
  /** Claimed at once by this owner (the worker that creates an activity task runs it). */
  leaseOwner?: string;
  leaseUntil?: number;
}

/** What an activity task carries (encoded by the payload codec): what to run, and how. */
export interface ActivityTaskData {
  cmd: number;
  activity: string;
  input: unknown;
  options: StepOptions;
  workflowId: string;
}

/** The task that runs the first attempt of a scheduled step, due at `dueAt`. */
export function activityTask(
  codec: PayloadCodec,
  runId: string,
  workflowId: string,
  e: Extract<HistoryEvent, { type: "ActivityScheduled" }>,
  dueAt: number,
): NewTask {
  const data: ActivityTaskData = { cmd: e.cmd, activity: e.activity, input: e.input, options: e.options, workflowId };
  return { runId, kind: "activity", dueAt, nodeId: e.nodeId, attempt: 1, data: codec.encode(data) };
}

const COLUMNS = "id, run_id, kind, due_at, node_id, attempt, data, heartbeat, lost_by";

function toTask(r: Record<string, unknown>): TaskRow {
  return {
    id: Number(r.id),
    runId: String(r.run_id),
    kind: r.kind as TaskKind,
    dueAt: Number(r.due_at),
    nodeId: (r.node_id as string | null) ?? null,
    attempt: r.attempt === null || r.attempt === undefined ? null : Number(r.attempt),
    data: (r.data as string | null) ?? null,
    heartbeat: (r.heartbeat as string | null) ?? null,
    lostBy: (r.lost_by as string | null) ?? null,
  };
}

/**
 * Inserts tasks; returns their ids in order. A second pending workflow task for a run is one
 * with the first: the wake-up it stands for joins the one already there.
 *
 * Joining must lock that task (DO UPDATE, not DO NOTHING): on PostgreSQL a worker may claim it
 * between this statement and its commit, and, reading the inbox before this commit, take the
 * wake-up without the signal stored with it, which then stays in the inbox of a run that waits
 * for it (found by the crash soak). Locked, the task is skipped by claims (SKIP LOCKED) until
 * this commits; a claim that locked it first is waited for, after which it no longer counts as
 * pending and the new task is inserted.
 */
export async function insertTasks(tx: SqlExecutor, tasks: NewTask[]): Promise<number[]> {
  const ids: number[] = [];
  for (const t of tasks) {
    const conflict =
      t.kind !== "workflow"
        ? ""
        : t.leaseOwner === undefined
          ? " ON CONFLICT (run_id) WHERE kind = 'workflow' AND lease_owner IS NULL DO UPDATE SET due_at = CASE WHEN excluded.due_at < task.due_at THEN excluded.due_at ELSE task.due_at END"
          : " ON CONFLICT DO NOTHING";
    const rows = await tx.query(
      `INSERT INTO task (run_id, kind, due_at, node_id, attempt, data, lease_owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)${conflict} RETURNING id`,
      [t.runId, t.kind, t.dueAt, t.nodeId ?? null, t.attempt ?? null, t.data ?? null, t.leaseOwner ?? null, t.leaseUntil ?? null],
    );
    ids.push(rows.length > 0 ? Number(rows[0].id) : -1);
  }
  return ids;
}

/** What a claim asks for: up to `limit` tasks of `kind` due by `dueBy`. */
export interface ClaimWant {
  kind: TaskKind;
  /** Claims early when later than now: the worker fires timers within its look-ahead itself. */
  dueBy: number;
  limit: number;
}

/**
 * Claims for `owner`, until `leaseUntil`, the due tasks each want asks for (or whose lease ran
 * out by `now`), in one statement: on SQLite every claim is an fsync'd write.
 */
export async function claimTasks(db: Database, owner: string, now: number, leaseUntil: number, wants: ClaimWant[]): Promise<TaskRow[]> {
  wants = wants.filter((w) => w.limit > 0);
  if (wants.length === 0) return [];
  const lock = db.kind === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
  // Unleased tasks and those whose lease ran out are looked for apart, each by a seek on its
  // own index (the partial (kind, due_at) index on unleased rows; lease_until), never by a
  // scan of every due row: the second kind is rare (a worker died).
  const parts = [
    { where: "lease_owner IS NULL AND kind = ? AND due_at <= ?", params: (w: ClaimWant): SqlValue[] => [w.kind, w.dueBy] },
    { where: "lease_until < ? AND kind = ? AND due_at <= ?", params: (w: ClaimWant): SqlValue[] => [now, w.kind, w.dueBy] },
  ];
  // On SQLite an UPDATE takes the file's write lock even when it matches nothing, and a process
  // waiting for that lock sleeps in SQLite's busy handler with its event loop blocked. Several
  // worker processes polling with empty claims would mostly wait on each other: look first
  // with a read (WAL readers take no lock) and claim only when something is due.
  if (db.kind === "sqlite") {
    const any = wants.flatMap(() => parts.map((p) => `EXISTS (SELECT 1 FROM task WHERE ${p.where})`)).join(" OR ");
    const rows = await db.query(`SELECT ${any} AS due`, wants.flatMap((w) => parts.flatMap((p) => p.params(w))));
    if (!rows[0]?.due) return [];
  }
  const picks = wants.flatMap(() => parts.map((p) => `id IN (SELECT id FROM task WHERE ${p.where} ORDER BY due_at LIMIT ?${lock})`)).join(" OR ");
  // A claimed workflow task leaves its run's "pending" slot, so a wake-up that comes while the
  // run is processed gets a task of its own: claiming must not collide with that index.
  // lost_by takes the row's old lease_owner (SET reads the row as it was, on both databases):
  // null for a free task, the previous holder for one taken over, so the claimer knows from
  // this statement alone that an attempt was lost, and with whom. A loss not yet recorded
  // keeps the worker it names (the one that took it over died too before recording it);
  // recording it (rescheduleTask) clears it.
  const rows = await db.query(`UPDATE task SET lost_by = COALESCE(lost_by, lease_owner), lease_owner = ?, lease_until = ? WHERE ${picks} RETURNING ${COLUMNS}`, [
    owner,
    leaseUntil,
    ...wants.flatMap((w) => parts.flatMap((p) => [...p.params(w), w.limit])),
  ]);
  // (Both parts may find tasks of a kind: with expired leases about, a claim may take a few
  // more than the limit.)
  return rows.map(toTask).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
}

/** Deletes a task this owner holds; false when the lease was lost (someone else has it now). */
export async function completeTask(tx: SqlExecutor, id: number, owner: string): Promise<boolean> {
  return (await tx.execute("DELETE FROM task WHERE id = ? AND lease_owner = ?", [id, owner])) === 1;
}

/**
 * Gives a task back for its attempt `attempt` (the previous one's outcome, a loss too, is
 * recorded with it). Only if `owner` holds it, still at the previous attempt: an owner whose
 * lease ran out while it was at an attempt, and that has the task again for a later one, must
 * not record the earlier attempt's outcome a second time.
 */
export async function rescheduleTask(tx: SqlExecutor, id: number, owner: string, dueAt: number, attempt: number): Promise<boolean> {
  const n = await tx.execute(
    "UPDATE task SET due_at = ?, attempt = ?, lease_owner = NULL, lease_until = NULL, lost_by = NULL WHERE id = ? AND lease_owner = ? AND COALESCE(attempt, 1) = ?",
    [dueAt, attempt, id, owner, attempt - 1],
  );
  return n === 1;
}

/**
 * Renews this owner's leases on `ids`. On PostgreSQL a renewal never waits for a row lock: it
 * skips rows another transaction holds, which are this worker's own group commit completing or
 * rescheduling those very tasks. Waiting there would deadlock against that commit (which locks
 * task rows in its units' order, not this statement's), and PostgreSQL only breaks a deadlock
 * after deadlock_timeout (1 s), long enough for short leases to run out and the tasks to be
 * claimed, and run, again.
 */
export async function extendLeases(db: Database, owner: string, ids: number[], leaseUntil: number): Promise<void> {
  if (ids.length === 0) return;
  if (db.kind === "postgresql") {
    await db.execute(
      "UPDATE task SET lease_until = ? WHERE id IN (SELECT id FROM task WHERE lease_owner = ? AND id = ANY(?::bigint[]) FOR UPDATE SKIP LOCKED)",
      [leaseUntil, owner, ids],
    );
    return;
  }
  // SQLite: one transaction, one fsync, however many chunks (a worker holding a few thousand
  // timers would otherwise block its thread for one fsync per 500 of them).
  const renew = async (executor: SqlExecutor) => {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await executor.execute(`UPDATE task SET lease_until = ? WHERE lease_owner = ? AND id IN (${chunk.map(() => "?").join(", ")})`, [leaseUntil, owner, ...chunk]);
    }
  };
  if (ids.length <= 500) await renew(db);
  else await db.transaction(renew);
}

/**
 * Which of `ids` this owner still holds. A task that is gone was dropped (its run cancelled,
 * terminated or ended), and one held by another owner was taken over after this owner's lease
 * ran out: either way the attempt under way for it is no longer wanted here.
 */
export async function tasksHeld(db: Database, owner: string, ids: number[]): Promise<Set<number>> {
  const held = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.query(`SELECT id FROM task WHERE lease_owner = ? AND id IN (${chunk.map(() => "?").join(", ")})`, [owner, ...chunk]);
    for (const r of rows) held.add(Number(r.id));
  }
  return held;
}

/** Keeps what an attempt reported with its heartbeat (and renews the lease), if still held. */
export async function recordHeartbeat(db: Database, owner: string, id: number, details: string, leaseUntil: number): Promise<void> {
  await db.execute("UPDATE task SET heartbeat = ?, lease_until = ? WHERE id = ? AND lease_owner = ?", [details, leaseUntil, id, owner]);
}

/** Releases every task this owner holds (a worker stopping). */
export async function releaseTasks(db: Database, owner: string, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.execute(`UPDATE task SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND id IN (${chunk.map(() => "?").join(", ")})`, [owner, ...chunk]);
  }
}

/**
 * When the worker should look for work again, if anything is pending: the next unclaimed
 * workflow or activity task's due time, the next unclaimed timer's due time less
 * `timerLookaheadMs` (timers are claimed that much early), or the next lease to run out;
 * activities only when `activities` is not false (a worker with no free slot cannot take one),
 * workflow tasks only when `workflows` is not false (a worker with no room leaves them).
 * Each part is one seek on an index (the partial (kind, due_at) index on unleased rows, and
 * lease_until), never a scan of the table.
 */
export async function nextDueAt(
  db: Database,
  now: number,
  options: { timerLookaheadMs?: number; activities?: boolean; workflows?: boolean } = {},
): Promise<number | undefined> {
  const min = (kind: TaskKind) => `(SELECT MIN(due_at) FROM task WHERE kind = '${kind}' AND lease_owner IS NULL)`;
  const rows = await db.query(
    `SELECT ${min("workflow")} AS workflow, ${min("activity")} AS activity, ${min("timer")} AS timer, (SELECT MIN(lease_until) FROM task WHERE lease_until >= ?) AS lease`,
    [now],
  );
  const r = rows[0] ?? {};
  let due: number | undefined;
  const consider = (value: unknown, shift = 0) => {
    if (value === null || value === undefined) return;
    const at = Number(value) - shift;
    if (due === undefined || at < due) due = at;
  };
  if (options.workflows !== false) consider(r.workflow);
  if (options.activities !== false) consider(r.activity);
  consider(r.timer, options.timerLookaheadMs ?? 0);
  consider(r.lease);
  return due;
}

/**
 * Takes over, for `owner`, the activity tasks a dead worker held (found dead by liveness.ts):
 * its attempts of them were lost, and the new owner records that (WorkerLost) at once, without
 * waiting for a free activity slot as a claim would (recording a lost attempt runs nothing).
 * lost_by names the dead worker, as a claim of an expired lease does. Of two workers taking
 * over at once, the second finds nothing left (lease_owner is no longer the dead one's).
 */
export async function takeOverActivities(db: SqlExecutor, from: string, owner: string, leaseUntil: number): Promise<TaskRow[]> {
  const rows = await db.query(`UPDATE task SET lost_by = COALESCE(lost_by, lease_owner), lease_owner = ?, lease_until = ? WHERE lease_until > 0 AND lease_owner = ? AND kind = 'activity' RETURNING ${COLUMNS}`, [
    owner,
    leaseUntil,
    from,
  ]);
  return rows.map(toTask);
}

/**
 * Ends at once the leases a dead worker held (found dead by liveness.ts, not by its leases
 * running out): they are then claimed as any expired lease is, with lost_by naming it. Through
 * the lease_until index: only leased rows are looked at. Resolves to the number of tasks.
 */
export async function expireLeasesOf(db: SqlExecutor, owner: string): Promise<number> {
  return db.execute("UPDATE task SET lease_until = 0 WHERE lease_until > 0 AND lease_owner = ?", [owner]);
}

export async function deleteRunTasks(tx: SqlExecutor, runId: string): Promise<void> {
  await tx.execute("DELETE FROM task WHERE run_id = ?", [runId]);
}
