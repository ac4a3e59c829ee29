// What the engine shows of runs (the command, and later the HTTP API and the app): the describe
// document with the work a run waits on, run summaries for lists, and the live workers. Times
// are ISO 8601 strings here; the engine itself keeps epoch milliseconds.

import type { PayloadCodec } from "./codec.ts";
import { EngineError } from "./errors.ts";
import { decodeEvent } from "./history-store.ts";
import { listRuns, type RunRow } from "./run-store.ts";
import type { RecordedEvent } from "./runtime/events.ts";
import type { SqlExecutor } from "./storage/types.ts";
import { liveWorkers } from "./worker-store.ts";
import type { Description, PendingApproval, PendingItem, RunStatus, RunSummary, WorkerSummary } from "./views.ts";

// The view types live in views.ts (types only, for browser code); re-exported for the engine's callers.
export type { Description, PendingApproval, PendingItem, RunSummary, WorkerSummary } from "./views.ts";

export const RUN_STATUSES = ["running", "completed", "failed", "cancelled", "terminated"] as const satisfies readonly RunStatus[];

/** The describe document of a run, from its row and history. */
export async function describeRun(db: SqlExecutor, run: RunRow, events: RecordedEvent[]): Promise<Description> {
  const status = run.status === "continued" ? "running" : run.status;
  const pending = run.status === "running" ? pendingOf(events) : [];
  if (pending.some((p) => p.kind === "activity")) {
    // An attempt under way: the worker holding its task's lease.
    const held = await db.query("SELECT node_id, attempt, lease_owner FROM task WHERE run_id = ? AND kind = 'activity' AND lease_owner IS NOT NULL AND lease_until > ?", [run.runId, Date.now()]);
    for (const p of pending) {
      const task = held.find((t) => t.node_id === p.nodeId && Number(t.attempt ?? 1) === p.attempt);
      if (p.kind === "activity" && task) p.worker = String(task.lease_owner);
    }
  }
  const first = events[0];
  return {
    ...summary(run),
    status,
    input: run.input,
    ...(run.status === "completed" ? { result: run.result } : {}),
    ...(run.error ? { error: run.error } : {}),
    pending,
    ...(run.continuedFromRunId ? { continuedFromRunId: run.continuedFromRunId } : {}),
    ...(first?.type === "WorkflowStarted" && first.retriedFromRunId ? { retriedFromRunId: first.retriedFromRunId } : {}),
  };
}

function summary(run: RunRow): RunSummary {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    name: run.name,
    version: run.version,
    status: run.status as RunSummary["status"],
    startedAt: new Date(run.startedAt).toISOString(),
    ...(run.closedAt === null ? {} : { closedAt: new Date(run.closedAt).toISOString() }),
  };
}

/**
 * Approvals waiting for a decision, oldest first: requests (ApprovalRequested) of running runs
 * with no decision nor timeout after them. `assignee`: only those naming that user or role.
 */
export async function pendingApprovals(db: SqlExecutor, codec: PayloadCodec, filter: { assignee?: string; limit?: number } = {}): Promise<PendingApproval[]> {
  const rows = await db.query<{ workflow_id: string; run_id: string; seq: number; at: number; node_id: string; attempt: null; type: string; data: string | null }>(
    `SELECT r.workflow_id, a.run_id, a.seq, a.at, a.node_id, a.attempt, a.type, a.data
     FROM history_event a JOIN run r ON r.run_id = a.run_id
     WHERE a.type = 'ApprovalRequested' AND r.status = 'running'
       AND NOT EXISTS (SELECT 1 FROM history_event b WHERE b.run_id = a.run_id AND b.seq > a.seq AND b.node_id = a.node_id AND b.type IN ('SignalReceived', 'WaitTimedOut'))
     ORDER BY a.at, a.run_id`,
  );
  const out: PendingApproval[] = [];
  for (const row of rows) {
    const e = decodeEvent(codec, row);
    if (e.type !== "ApprovalRequested") continue;
    const assignees = e.assignees ?? [];
    if (filter.assignee !== undefined && !assignees.includes(filter.assignee)) continue;
    out.push({
      workflowId: row.workflow_id,
      runId: row.run_id,
      nodeId: e.nodeId,
      ...(e.title === undefined ? {} : { title: e.title }),
      ...(e.message === undefined ? {} : { message: e.message }),
      assignees,
      since: new Date(e.at).toISOString(),
      ...(e.dueAt === undefined ? {} : { dueAt: new Date(e.dueAt).toISOString() }),
    });
    if (filter.limit !== undefined && out.length >= filter.limit) break;
  }
  return out;
}

/** Runs, newest first, filtered (see Engine.list); the filter is checked first. */
export async function listRunSummaries(db: SqlExecutor, codec: PayloadCodec, filter: { status?: string; name?: string; limit?: number }): Promise<RunSummary[]> {
  const statuses: readonly string[] = RUN_STATUSES;
  if (filter.status !== undefined && !statuses.includes(filter.status)) {
    throw new EngineError("BAD_REQUEST", `"${filter.status}" is not a run status: use one of ${RUN_STATUSES.join(", ")}`);
  }
  const limit = filter.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new EngineError("BAD_REQUEST", `the limit must be a whole number from 1 to 1000, not ${limit}`);
  return (await listRuns(db, codec, { ...filter, limit, excludeContinued: true })).map(summary);
}

/** Workers heard from in the last seconds, the longest-running first. */
export async function listWorkers(db: SqlExecutor): Promise<WorkerSummary[]> {
  return (await liveWorkers(db, Date.now())).map((w) => ({ ...w, startedAt: new Date(w.startedAt).toISOString(), heartbeatAt: new Date(w.heartbeatAt).toISOString() }));
}

/** What a run waits for, from its history: commands not yet resolved. */
export function pendingOf(events: RecordedEvent[]): PendingItem[] {
  const open = new Map<number, PendingItem>();
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const e of events) {
    switch (e.type) {
      case "ActivityScheduled":
        open.set(e.cmd, { nodeId: e.nodeId, kind: "activity", activity: e.activity, attempt: 1, since: iso(e.at) });
        break;
      case "ActivityFailed": {
        const p = open.get(e.cmd);
        if (e.nextAttemptAt === undefined) open.delete(e.cmd);
        else if (p) Object.assign(p, { attempt: e.attempt + 1, nextAttemptAt: iso(e.nextAttemptAt), lastError: e.error });
        break;
      }
      case "TimerStarted":
        open.set(e.cmd, { nodeId: e.nodeId, kind: "timer", dueAt: iso(e.dueAt), since: iso(e.at) });
        break;
      case "ApprovalRequested":
        open.set(e.cmd, {
          nodeId: e.nodeId,
          kind: "approval",
          title: e.title,
          message: e.message,
          assignees: e.assignees,
          since: iso(e.at),
          ...(e.dueAt === undefined ? {} : { dueAt: iso(e.dueAt) }),
        });
        break;
      case "SignalWaitStarted":
        open.set(e.cmd, { nodeId: e.nodeId, kind: "signal", signal: e.signal, since: iso(e.at), ...(e.dueAt === undefined ? {} : { dueAt: iso(e.dueAt) }) });
        break;
      case "ActivityCompleted":
      case "TimerFired":
      case "SignalReceived":
      case "WaitTimedOut":
        open.delete(e.cmd);
        break;
      case "ActivityStarted":
      case "WorkflowStarted":
      case "ContinuedAsNew":
      case "WorkflowCompleted":
      case "WorkflowFailed":
      case "WorkflowCancelled":
      case "WorkflowTerminated":
        break;
      default: {
        const never: never = e;
        void never;
      }
    }
  }
  return [...open.values()];
}
