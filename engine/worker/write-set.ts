// What one unit of a group commit writes, as data rather than code, so that the committer can
// merge the units of a batch into a few set-based statements (PostgreSQL, where every statement
// is a round trip) or run them one by one (SQLite, where a statement costs no round trip).
//
// A step (one transition of a run) is recorded only if
//  - its trigger's task is still this worker's (the DELETE/UPDATE of the task is guarded by
//    lease_owner in the same transaction): an activity's result is recorded exactly once;
//  - its run is where the step expects it (the next_seq guard): a unit whose run moved on
//    elsewhere writes nothing.
// A unit failing either check fails with LeaseLost or SeqConflict and writes nothing.

import type { PayloadCodec } from "../codec.ts";
import { appendEvents, eventRow, SeqConflict } from "../history-store.ts";
import { closeRun, insertRun, type RunRow, type RunWait } from "../run-store.ts";
import type { ErrorInfo, HistoryEvent, RecordedEvent } from "../runtime/events.ts";
import { consumeSignal, moveSignals } from "../signal-store.ts";
import type { SqlExecutor, SqlValue } from "../storage/types.ts";
import { completeTask, deleteRunTasks, insertTasks, rescheduleTask, type NewTask } from "../task-store.ts";
import { CHANNEL } from "../notifier.ts";
import { preparedStatement } from "../storage/placeholders.ts";

/** The task a step's trigger came from was taken by another worker (its lease ran out). */
export class LeaseLost extends Error {
  constructor(readonly taskId: number) {
    super(`the lease on task ${taskId} was lost`);
    this.name = "LeaseLost";
  }
}

export type RunInsert = Omit<RunRow, "status" | "result" | "error" | "closedAt" | "nextSeq">;

export interface StepWrite {
  kind: "step";
  runId: string;
  /** The trigger's task, completed (deleted) or rescheduled, only if `owner` still holds it. */
  task?: { id: number; owner: string; reschedule?: { dueAt: number; attempt: number } };
  /**
   * The run's next_seq must be `expectedSeq`; `events` are appended from there (with no events
   * the guard alone is checked). Absent when the run has ended: the task is only completed.
   * `wait`: where the run waits after the events (null: nowhere), set by the same update of its
   * row; absent: left as it is.
   */
  guard?: { expectedSeq: number; events: HistoryEvent[]; at: number; wait?: RunWait | null };
  consumed: { signalId: number; seq: number }[];
  close?: { status: "completed" | "failed" | "continued"; result?: unknown; error?: ErrorInfo };
  /** Continue-as-new: the new run, its first event, its workflow task; signals follow it. */
  continued?: { run: RunInsert; started: RecordedEvent };
  /** New tasks (activities, timers); their ids come back in order. Not written when closing. */
  tasks: NewTask[];
  /** Wake other workers' LISTEN (once per commit) for tasks they may take. */
  notify?: boolean;
}

/** Resolves to the id of the new run's workflow task. */
export interface StartWrite {
  kind: "start";
  run: RunInsert;
  started: RecordedEvent;
  task: NewTask;
  notify?: boolean;
}

export interface CustomWrite {
  kind: "custom";
  run: (tx: SqlExecutor) => Promise<unknown>;
  notify?: boolean;
}

export type Write = StepWrite | StartWrite | CustomWrite;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Applies one unit through per-row statements (SQLite, and the isolated fallback on
 * PostgreSQL). The committer sends the NOTIFY units ask for, once per commit.
 */
export async function applyOne(tx: SqlExecutor, codec: PayloadCodec, w: Write): Promise<unknown> {
  switch (w.kind) {
    case "custom":
      return w.run(tx);
    case "start": {
      await insertRun(tx, codec, w.run, 2);
      await tx.execute("INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data) VALUES (?, ?, ?, ?, ?, ?, ?)", eventRow(codec, w.run.runId, w.started));
      const [taskId] = await insertTasks(tx, [w.task]);
      return taskId;
    }
    case "step":
      return applyStep(tx, codec, w);
  }
}

async function applyStep(tx: SqlExecutor, codec: PayloadCodec, w: StepWrite): Promise<number[]> {
  const { runId } = w;
  if (w.task) {
    const ok = w.task.reschedule
      ? await rescheduleTask(tx, w.task.id, w.task.owner, w.task.reschedule.dueAt, w.task.reschedule.attempt)
      : await completeTask(tx, w.task.id, w.task.owner);
    if (!ok) throw new LeaseLost(w.task.id);
  }
  const guard = w.guard;
  if (!guard) return [];
  if (guard.events.length === 0) {
    // Nothing to append, but the trigger's task is consumed: only if this worker's view of the
    // run is current (a stale view would drop a timer, a result or a signal's wake-up).
    const moved = await tx.execute("UPDATE run SET next_seq = next_seq WHERE run_id = ? AND next_seq = ?", [runId, guard.expectedSeq]);
    if (moved !== 1) throw new SeqConflict(runId);
  }
  // (A run that closes waits nowhere: closeRun says so.)
  await appendEvents(tx, codec, runId, guard.expectedSeq, guard.events, guard.at, w.close ? undefined : guard.wait);
  for (const c of w.consumed) await consumeSignal(tx, c.signalId, c.seq);
  if (w.close) {
    await deleteRunTasks(tx, runId);
    await closeRun(tx, codec, runId, w.close.status, guard.at, { result: w.close.result, error: w.close.error });
    if (w.continued) await applyContinued(tx, codec, runId, w.continued, guard.at);
    return [];
  }
  return insertTasks(tx, w.tasks);
}

async function applyContinued(tx: SqlExecutor, codec: PayloadCodec, fromRunId: string, c: NonNullable<StepWrite["continued"]>, at: number): Promise<void> {
  await insertRun(tx, codec, c.run, 2);
  await tx.execute("INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data) VALUES (?, ?, ?, ?, ?, ?, ?)", eventRow(codec, c.run.runId, c.started));
  await insertTasks(tx, [{ runId: c.run.runId, kind: "workflow", dueAt: at }]);
  await moveSignals(tx, fromRunId, c.run.runId);
}

/** The whole batch in one statement (prepared once per connection: planning it costs more than running it). */
const BATCH = preparedStatement(
  "weft_batch",
  `WITH started AS (
       INSERT INTO run (run_id, workflow_id, name, version, hash, status, input, started_at, first_run_id, continued_from_run_id, next_seq, updated_at)
       SELECT v.run_id, v.workflow_id, v.name, v.version, v.hash, 'running', v.input, v.started_at, v.first_run_id, v.from_run_id, 2, v.started_at
       FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::float8[], ?::text[], ?::text[])
         AS v(run_id, workflow_id, name, version, hash, input, started_at, first_run_id, from_run_id)
     ), done AS (
       DELETE FROM task t USING unnest(?::bigint[], ?::text[]) AS v(id, owner)
       WHERE t.id = v.id AND t.lease_owner = v.owner RETURNING t.id
     ), guarded AS (
       UPDATE run SET next_seq = v.next_seq,
         updated_at = CASE WHEN v.next_seq = v.expected THEN run.updated_at ELSE v.at END,
         status = COALESCE(v.status, run.status),
         result = CASE WHEN v.status IS NULL THEN run.result ELSE v.result END,
         error = CASE WHEN v.status IS NULL THEN run.error ELSE v.error END,
         closed_at = CASE WHEN v.status IS NULL THEN run.closed_at ELSE v.at END,
         -- Where the run waits now (a null wait_retrying: left as it is). Not indexed, so the
         -- update stays heap-only (migration 20261201030000_run_waits).
         wait_node = CASE WHEN v.wait_retrying IS NULL THEN run.wait_node ELSE v.wait_node END,
         wait_kind = CASE WHEN v.wait_retrying IS NULL THEN run.wait_kind ELSE v.wait_kind END,
         wait_since = CASE WHEN v.wait_retrying IS NULL THEN run.wait_since ELSE v.wait_since END,
         wait_retrying = COALESCE(v.wait_retrying, run.wait_retrying),
         wait_seq = CASE WHEN v.wait_retrying IS NULL THEN run.wait_seq ELSE v.wait_seq END
       FROM unnest(?::text[], ?::int[], ?::int[], ?::float8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::int[], ?::int[])
         AS v(run_id, expected, next_seq, at, status, result, error, wait_node, wait_kind, wait_since, wait_retrying, wait_seq)
       WHERE run.run_id = v.run_id AND run.next_seq = v.expected RETURNING run.run_id
     ), appended AS (
       INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data)
       SELECT * FROM unnest(?::text[], ?::int[], ?::text[], ?::float8[], ?::text[], ?::int[], ?::text[])
       -- A seq already taken means that run moved on: its guard fails and the batch rolls back.
       ON CONFLICT DO NOTHING
     ), consumed AS (
       UPDATE signal SET consumed_seq = v.seq FROM unnest(?::bigint[], ?::int[]) AS v(id, seq)
       WHERE signal.id = v.id AND signal.consumed_seq IS NULL
     ), closed AS (
       DELETE FROM task WHERE run_id = ANY(?::text[]) AND id <> ALL(?::bigint[])
     ), created AS (
       INSERT INTO task (run_id, kind, due_at, node_id, attempt, data, lease_owner, lease_until)
       SELECT v.run_id, v.kind, v.due_at, v.node_id, v.attempt, v.data, v.owner, v.until
       FROM unnest(?::text[], ?::text[], ?::float8[], ?::text[], ?::int[], ?::text[], ?::text[], ?::float8[]) WITH ORDINALITY
         AS v(run_id, kind, due_at, node_id, attempt, data, owner, until, ord)
       ORDER BY v.ord
       ON CONFLICT DO NOTHING RETURNING id
     )
     SELECT 'done' AS k, id::text AS id, NULL AS run_id FROM done
     UNION ALL SELECT 'guarded', NULL, run_id FROM guarded
     UNION ALL SELECT 'created', id::text, NULL FROM created
     UNION ALL SELECT 'notified', NULL, NULL FROM (SELECT 1) AS one WHERE ?::boolean AND pg_notify('${CHANNEL}', '') IS NULL
     -- In autocommit, the statement fails as a whole when a unit fails its checks.
     UNION ALL SELECT 'checked', NULL, NULL FROM (SELECT 1) AS one
       WHERE ?::boolean AND weft_assert((SELECT count(*) FROM done) = ?::int AND (SELECT count(*) FROM guarded) = ?::int)`,
);

/**
 * Whether a batch can be applied by its one statement alone, in autocommit: starts, and steps
 * with none of the rare parts that take statements of their own (reschedules, continue-as-new).
 */
export function isSingleStatementBatch(writes: Write[]): boolean {
  return writes.every((w) => w.kind === "start" || (w.kind === "step" && !w.task?.reschedule && !w.continued));
}

/** The single-statement batch failed because a unit failed its checks (weft_assert). */
export function isBatchCheckFailure(err: unknown): boolean {
  return (err as { code?: unknown })?.code === "WF001";
}

/** Thrown inside a batch transaction to roll it back: some units failed their checks. */
export class UnitsFailed extends Error {
  constructor(readonly outcomes: (Outcome | undefined)[]) {
    super("units of the batch failed their checks");
  }
}

/**
 * PostgreSQL: applies a batch with one statement whatever its size, with data-modifying CTEs
 * that insert the runs of new starts, complete the triggers' tasks (guarded by lease_owner),
 * advance the runs (guarded by next_seq, closing those that end), append every event, consume
 * signals, delete the tasks of runs that end, insert the new tasks, and NOTIFY if any unit
 * asked (delivered at commit). A batch of starts and plain steps needs no transaction around
 * it (`autocommit`: the statement then fails as a whole, with WF001, if a check fails; the
 * committer runs it again in a transaction to learn which). In a transaction, when a check fails the whole batch is rolled back
 * (UnitsFailed names the failed units; the committer runs the others again), so a unit that
 * fails writes nothing. Customs and the rare parts (reschedules, continue-as-new) go one by one.
 */
export async function applyBatchPostgres(tx: SqlExecutor, codec: PayloadCodec, writes: Write[], autocommit = false): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = new Array(writes.length);

  // Rows for the combined statement.
  const done = { id: [] as number[], owner: [] as string[] };
  const guard = {
    runId: [] as string[],
    expected: [] as number[],
    next: [] as number[],
    at: [] as number[],
    status: [] as (string | null)[],
    result: [] as (string | null)[],
    error: [] as (string | null)[],
    waitNode: [] as (string | null)[],
    waitKind: [] as (string | null)[],
    waitSince: [] as (number | null)[],
    waitRetrying: [] as (number | null)[],
    waitSeq: [] as (number | null)[],
  };
  const events = { runId: [] as string[], seq: [] as number[], type: [] as string[], at: [] as number[], nodeId: [] as (string | null)[], attempt: [] as (number | null)[], data: [] as (string | null)[] };
  const consumed = { id: [] as number[], seq: [] as number[] };
  const closing = { runId: [] as string[], keep: [] as number[] };
  const tasks = { runId: [] as string[], kind: [] as string[], dueAt: [] as number[], nodeId: [] as (string | null)[], attempt: [] as (number | null)[], data: [] as (string | null)[], owner: [] as (string | null)[], until: [] as (number | null)[] };
  /** For each step unit, where its new tasks start in the task rows (aligned with RETURNING). */
  const taskSlices: { unit: number; from: number; count: number }[] = [];
  const taskOf = new Map<number, number>(); // task id → unit
  const guardOf = new Map<string, number>(); // run id → unit
  const starts: number[] = [];
  let notify = false;

  const addEvent = (runId: string, e: RecordedEvent) => {
    const row = eventRow(codec, runId, e);
    events.runId.push(runId);
    events.seq.push(e.seq);
    events.type.push(e.type);
    events.at.push(e.at);
    events.nodeId.push(row[4] as string | null);
    events.attempt.push(row[5] as number | null);
    events.data.push(row[6] as string | null);
  };
  const addTask = (t: NewTask) => {
    tasks.runId.push(t.runId);
    tasks.kind.push(t.kind);
    tasks.dueAt.push(t.dueAt);
    tasks.nodeId.push(t.nodeId ?? null);
    tasks.attempt.push(t.attempt ?? null);
    tasks.data.push(t.data ?? null);
    tasks.owner.push(t.leaseOwner ?? null);
    tasks.until.push(t.leaseUntil ?? null);
  };

  // New runs go in with the combined statement (their events' and tasks' foreign keys are
  // checked at its end, when the runs are there).
  writes.forEach((w, i) => {
    if (w.kind === "start") starts.push(i);
  });
  const runs = { runId: [] as string[], workflowId: [] as string[], name: [] as string[], version: [] as number[], hash: [] as string[], input: [] as string[], startedAt: [] as number[], firstRunId: [] as string[], from: [] as (string | null)[] };
  for (const i of starts) {
    const w = writes[i] as StartWrite;
    const r = w.run;
    runs.runId.push(r.runId);
    runs.workflowId.push(r.workflowId);
    runs.name.push(r.name);
    runs.version.push(r.version);
    runs.hash.push(r.hash);
    runs.input.push(codec.encode(r.input));
    runs.startedAt.push(r.startedAt);
    runs.firstRunId.push(r.firstRunId);
    runs.from.push(r.continuedFromRunId);
    addEvent(r.runId, w.started);
    notify ||= w.notify === true;
    outcomes[i] = { ok: true, value: undefined };
  }

  // The rare parts of steps, one by one, before the combined statement (their checks are the
  // same as in applyOne).
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    if (w.kind !== "step") continue;
    if (w.task?.reschedule) {
      const { id, owner, reschedule } = w.task;
      if (!(await rescheduleTask(tx, id, owner, reschedule.dueAt, reschedule.attempt))) outcomes[i] = { ok: false, error: new LeaseLost(id) };
    }
  }

  const triggerIds: number[] = [];
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    if (w.kind !== "step" || outcomes[i]) continue;
    if (w.task && !w.task.reschedule) {
      done.id.push(w.task.id);
      done.owner.push(w.task.owner);
      taskOf.set(w.task.id, i);
    }
    if (w.task) triggerIds.push(w.task.id);
    const g = w.guard;
    if (!g) continue;
    guardOf.set(w.runId, i);
    guard.runId.push(w.runId);
    guard.expected.push(g.expectedSeq);
    guard.next.push(g.expectedSeq + g.events.length);
    guard.at.push(g.at);
    guard.status.push(w.close?.status ?? null);
    guard.result.push(w.close?.result === undefined ? null : codec.encode(w.close.result));
    guard.error.push(w.close?.error === undefined ? null : codec.encode(w.close.error));
    // A run that closes waits nowhere; a wait not given is left as it is (wait_retrying null).
    const wait = w.close ? null : g.wait;
    guard.waitNode.push(wait?.nodeId ?? null);
    guard.waitKind.push(wait?.kind ?? null);
    guard.waitSince.push(wait?.since ?? null);
    guard.waitRetrying.push(wait === undefined ? null : wait?.retrying ? 1 : 0);
    guard.waitSeq.push(wait?.seq ?? null);
    g.events.forEach((e, k) => addEvent(w.runId, { ...e, seq: g.expectedSeq + k, at: g.at } as RecordedEvent));
    for (const c of w.consumed) {
      consumed.id.push(c.signalId);
      consumed.seq.push(c.seq);
    }
    if (w.close) {
      closing.runId.push(w.runId);
    } else if (w.tasks.length > 0) {
      taskSlices.push({ unit: i, from: tasks.runId.length, count: w.tasks.length });
      for (const t of w.tasks) addTask(t);
    }
    notify ||= w.notify === true && !w.close;
  }
  closing.keep.push(...triggerIds);
  const startTasksFrom = tasks.runId.length;
  for (const i of starts) addTask((writes[i] as StartWrite).task);
  for (const w of writes) if (w.kind === "custom") notify ||= w.notify === true;

  const rows = await tx.query<{ k: string; id: string | null; run_id: string | null }>(
    BATCH,
    [
      runs.runId, runs.workflowId, runs.name, runs.version, runs.hash, runs.input, runs.startedAt, runs.firstRunId, runs.from,
      done.id, done.owner,
      guard.runId, guard.expected, guard.next, guard.at, guard.status, guard.result, guard.error, guard.waitNode, guard.waitKind, guard.waitSince, guard.waitRetrying, guard.waitSeq,
      events.runId, events.seq, events.type, events.at, events.nodeId, events.attempt, events.data,
      consumed.id, consumed.seq,
      closing.runId, closing.keep,
      tasks.runId, tasks.kind, tasks.dueAt, tasks.nodeId, tasks.attempt, tasks.data, tasks.owner, tasks.until,
      notify,
      autocommit, done.id.length, guard.runId.length,
    ] as SqlValue[],
  );

  const deleted = new Set<number>();
  const advanced = new Set<string>();
  const created: number[] = [];
  for (const r of rows) {
    if (r.k === "done") deleted.add(Number(r.id));
    else if (r.k === "guarded") advanced.add(String(r.run_id));
    else if (r.k === "created") created.push(Number(r.id));
  }
  let failed = outcomes.some((o) => o && !o.ok);
  for (const [id, i] of taskOf) {
    if (!deleted.has(id)) {
      outcomes[i] = { ok: false, error: new LeaseLost(id) };
      failed = true;
    }
  }
  for (const [runId, i] of guardOf) {
    if (!advanced.has(runId) && !outcomes[i]) {
      outcomes[i] = { ok: false, error: new SeqConflict(runId) };
      failed = true;
    }
  }
  if (failed) throw new UnitsFailed(outcomes);

  // Ids in the order of the rows (the INSERT … SELECT … ORDER BY inserts, and RETURNING
  // answers, in that order). Step tasks come before the starts' workflow tasks, and only those
  // may be dropped by ON CONFLICT, so the steps' ids line up.
  for (const s of taskSlices) outcomes[s.unit] = { ok: true, value: created.slice(s.from, s.from + s.count) };
  // A start's workflow task is its new run's first: nothing conflicts with it, so it is there.
  starts.forEach((i, k) => (outcomes[i] = { ok: true, value: created[startTasksFrom + k] }));

  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    if (outcomes[i]) continue;
    if (w.kind === "step") {
      if (w.continued) await applyContinued(tx, codec, w.runId, w.continued, w.guard!.at);
      outcomes[i] = { ok: true, value: [] };
    } else if (w.kind === "custom") {
      // Customs run after the set-based part, in their order; a failure rolls the batch back
      // and the committer isolates it.
      outcomes[i] = { ok: true, value: await w.run(tx) };
    }
  }
  return outcomes as Outcome[];
}
