// Recording the attempts a dead worker lost, without running any workflow code (issue 10).
//
// A lost attempt that its step's policy tries again changes nothing the code reads: the step
// is still open (ActivityFailed with nextAttemptAt is no resolution), so the worker that takes
// the dead one's work over records it from the runs' rows alone, in the transaction that takes
// the tasks over, however many runs there are and however busy it is: no run is loaded or
// replayed. That is what the transition would write (worker.ts): the event at the run's next
// seq, the task rescheduled for the next attempt, the run's wait marked retrying. Each task,
// held by the taker at its attempt (rescheduleTask and the statement below check both), is the
// proof that its step is open: a step's outcome and its task's end are written together.
//
// Steps that fail for good need the code (what comes next), and go through a transition.

import type { PayloadCodec } from "../codec.ts";
import { appendEvents, eventRow } from "../history-store.ts";
import { toWait, type RunWait } from "../run-store.ts";
import type { ErrorInfo, HistoryEvent, RecordedEvent } from "../runtime/events.ts";
import type { SqlExecutor, SqlValue } from "../storage/types.ts";
import { rescheduleTask, type TaskRow } from "../task-store.ts";

export interface RetriedLoss {
  task: TaskRow;
  cmd: number;
  error: ErrorInfo;
  /** When the next attempt is due. */
  retryAt: number;
}

/**
 * In `tx`, records `losses` (tasks `owner` holds) at `at`, the runs' rows locked meanwhile
 * (PostgreSQL: FOR UPDATE; SQLite holds its write lock) so that none moves on under it.
 * Resolves to the ids of the tasks recorded; runs that ended are left out. On PostgreSQL a few
 * set-based statements whatever the number of runs (each statement is a round trip); on SQLite
 * statements per run.
 */
export async function recordRetriedLosses(
  tx: SqlExecutor,
  dialect: "sqlite" | "postgresql",
  codec: PayloadCodec,
  owner: string,
  losses: RetriedLoss[],
  at: number,
): Promise<Set<number>> {
  const recorded = new Set<number>();
  if (losses.length === 0) return recorded;
  const runIds = [...new Set(losses.map((l) => l.task.runId))];
  const rows = await tx.query(
    `SELECT run_id, status, next_seq, wait_node, wait_kind, wait_since, wait_retrying, wait_seq FROM run WHERE run_id IN (${runIds.map(() => "?").join(", ")})${dialect === "postgresql" ? " FOR UPDATE" : ""}`,
    runIds,
  );
  const runs = new Map(rows.filter((r) => r.status === "running").map((r) => [String(r.run_id), { nextSeq: Number(r.next_seq), wait: toWait(r) }]));
  const open = losses.filter((l) => runs.has(l.task.runId));

  // The tasks, rescheduled for their next attempts.
  let rescheduled: RetriedLoss[];
  if (dialect === "postgresql") {
    const done = await tx.query(
      `UPDATE task SET due_at = v.due_at, attempt = v.attempt, lease_owner = NULL, lease_until = NULL, lost_by = NULL
       FROM unnest(?::bigint[], ?::float8[], ?::int[]) AS v(id, due_at, attempt)
       WHERE task.id = v.id AND task.lease_owner = ? AND COALESCE(task.attempt, 1) = v.attempt - 1
       RETURNING task.id`,
      [open.map((l) => l.task.id), open.map((l) => l.retryAt), open.map((l) => (l.task.attempt ?? 1) + 1), owner],
    );
    const ids = new Set(done.map((r) => Number(r.id)));
    rescheduled = open.filter((l) => ids.has(l.task.id));
  } else {
    rescheduled = [];
    for (const l of open) if (await rescheduleTask(tx, l.task.id, owner, l.retryAt, (l.task.attempt ?? 1) + 1)) rescheduled.push(l);
  }

  // The events, per run from its next seq; the run's wait marked retrying when it is the step's.
  const byRun = new Map<string, RetriedLoss[]>();
  for (const l of rescheduled) byRun.set(l.task.runId, [...(byRun.get(l.task.runId) ?? []), l]);
  const appended: { runId: string; expected: number; events: RecordedEvent[]; wait: RunWait | undefined }[] = [];
  for (const [runId, ls] of byRun) {
    const run = runs.get(runId)!;
    const events = ls.map(
      (l, i) =>
        ({
          type: "ActivityFailed",
          cmd: l.cmd,
          nodeId: l.task.nodeId ?? "",
          attempt: l.task.attempt ?? 1,
          error: l.error,
          nextAttemptAt: l.retryAt,
          seq: run.nextSeq + i,
          at,
        }) as RecordedEvent,
    );
    const retrying = run.wait !== null && run.wait.kind === "activity" && ls.some((l) => l.task.nodeId === run.wait!.nodeId);
    appended.push({ runId, expected: run.nextSeq, events, wait: retrying ? { ...run.wait!, retrying: true } : undefined });
  }
  if (dialect === "postgresql") {
    if (appended.length > 0) {
      const moved = await tx.query(
        `UPDATE run SET next_seq = run.next_seq + v.n, updated_at = ?, wait_retrying = CASE WHEN v.retrying THEN 1 ELSE run.wait_retrying END
         FROM unnest(?::text[], ?::int[], ?::int[], ?::boolean[]) AS v(run_id, expected, n, retrying)
         WHERE run.run_id = v.run_id AND run.next_seq = v.expected RETURNING run.run_id`,
        [at, appended.map((a) => a.runId), appended.map((a) => a.expected), appended.map((a) => a.events.length), appended.map((a) => a.wait !== undefined)],
      );
      // The rows are locked: nothing moved them. Should that fail, the whole takeover rolls back.
      if (moved.length !== appended.length) throw new Error("a run moved on while its row was locked");
      const events = appended.flatMap((a) => a.events.map((e) => ({ runId: a.runId, e })));
      const params: SqlValue[] = events.flatMap(({ runId, e }) => eventRow(codec, runId, e));
      await tx.execute(`INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data) VALUES ${events.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`, params);
    }
  } else {
    for (const a of appended) {
      const events = a.events.map(({ seq: _seq, at: _at, ...e }) => e as HistoryEvent);
      await appendEvents(tx, codec, a.runId, a.expected, events, at, a.wait);
    }
  }
  for (const l of rescheduled) recorded.add(l.task.id);
  return recorded;
}
