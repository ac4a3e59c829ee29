// What the engine shows of runs (the command, and later the HTTP API and the app): the describe
// document with the work a run waits on, run summaries for lists, and the live workers. Times
// are ISO 8601 strings here; the engine itself keeps epoch milliseconds.

import type { PayloadCodec } from "./codec.ts";
import { EngineError } from "./errors.ts";
import { countRuns, listRuns, pageRuns, waitsOf, type RunListRow, type RunRow } from "./run-store.ts";
import { decisionsOf, nextSignal, voteCounts, votesOf } from "./signal-store.ts";
import { adoptedVersion } from "./version-store.ts";
import { isClosing, type RecordedEvent } from "./runtime/events.ts";
import type { SqlExecutor } from "./storage/types.ts";
import { liveWorkers } from "./worker-store.ts";
import type { Description, PendingApproval, PendingItem, RunStatus, RunsPage, RunSummary, WaitingNode, WorkerSummary } from "./views.ts";

// The view types live in views.ts (types only, for browser code); re-exported for the engine's callers.
export type { Description, PendingApproval, PendingItem, RunSummary, WorkerSummary } from "./views.ts";

export const RUN_STATUSES = ["running", "completed", "failed", "cancelled", "terminated"] as const satisfies readonly RunStatus[];

/**
 * The describe document of a run, from its row and history. An open run shows the version it is
 * on now (one declared compatible with its own may have taken it over), and, held, where and
 * why its code does not replay its history.
 */
export async function describeRun(db: SqlExecutor, run: RunRow, events: RecordedEvent[], codec?: PayloadCodec): Promise<Description> {
  const status = run.status === "continued" ? "running" : run.status;
  const open = run.status === "running";
  const pending = open ? pendingOf(events) : [];
  if (open && pending.length === 0 && run.wait && events.some((e) => "undecryptable" in e)) {
    // Some events cannot be read here (no key, another key): where the run waits, from its row.
    pending.push({ nodeId: run.wait.nodeId, kind: run.wait.kind, since: new Date(run.wait.since).toISOString() });
  }
  const held = open && run.held ? { ...run.held.divergence, nodeId: run.held.nodeId, reason: run.held.reason, since: new Date(run.held.since).toISOString(), version: run.held.version } : undefined;
  if (held) pending.unshift({ nodeId: held.nodeId, kind: "held", reason: held.reason, since: held.since });
  // Closed: the version its closing event says it ended on (another than its own took it over).
  const last = events.at(-1);
  const ended = last && isClosing(last) && "version" in last && typeof last.version === "number" ? last.version : run.version;
  const version = open ? (held?.version ?? (await adoptedVersion(db, run.name, run.version))) : ended;
  if (pending.some((p) => p.kind === "activity")) {
    // An attempt under way: the worker holding its task's lease.
    const held = await db.query("SELECT node_id, attempt, lease_owner FROM task WHERE run_id = ? AND kind = 'activity' AND lease_owner IS NOT NULL AND lease_until > ?", [run.runId, Date.now()]);
    for (const p of pending) {
      const task = held.find((t) => t.node_id === p.nodeId && Number(t.attempt ?? 1) === p.attempt);
      if (p.kind === "activity" && task) p.worker = String(task.lease_owner);
    }
  }
  if (codec && pending.some((p) => p.kind === "approval" && (p.quorum ?? 1) > 1)) {
    // An approval that needs several approvers: the approvals so far (votes are not events).
    const seq = run.wait?.seq ?? -1;
    for (const v of await votesOf(db, codec, [run.runId])) {
      const p = pending.find((x) => x.kind === "approval" && x.nodeId === v.nodeId);
      if (p && voteCounts(v.requestSeq, seq)) (p.approvals ??= []).push(v.vote);
    }
  }
  if (codec && open) {
    // What it waits for may have come already and wait in its inbox: until a worker takes the
    // run's next step, or, held, until a deploy frees it.
    for (const p of pending) {
      const s =
        p.kind === "signal" && p.signal ? await nextSignal(db, codec, run.runId, [p.signal], undefined)
        : p.kind === "approval" ? await nextSignal(db, codec, run.runId, ["approve", "decline"], p.nodeId)
        : undefined;
      const by = s?.sentBy ?? (s?.payload as { by?: unknown } | null)?.by;
      if (s) p.received = { signal: s.name, at: new Date(s.receivedAt).toISOString(), ...(typeof by === "string" ? { by } : {}), held: held !== undefined };
    }
  }
  const first = events[0];
  // The describe document says where the run waits in `pending`, with what it waits for.
  const { waitingAt: _listed, ...base } = summary(run);
  return {
    ...base,
    version,
    status,
    input: run.input,
    ...(run.status === "completed" ? { result: run.result } : {}),
    ...(run.error ? { error: run.error } : {}),
    pending,
    ...(run.continuedFromRunId ? { continuedFromRunId: run.continuedFromRunId } : {}),
    ...(first?.type === "WorkflowStarted" && first.retriedFromRunId ? { retriedFromRunId: first.retriedFromRunId } : {}),
    ...(version === run.version ? {} : { startedVersion: run.version }),
    ...(held ? { held } : {}),
  };
}

function summary(run: RunRow | RunListRow): RunSummary {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    name: run.name,
    version: run.version,
    status: run.status as RunSummary["status"],
    startedAt: new Date(run.startedAt).toISOString(),
    ...(run.closedAt === null ? {} : { closedAt: new Date(run.closedAt).toISOString() }),
    ...(run.status === "running" && run.wait ? { waitingAt: run.wait.nodeId } : {}),
  };
}

/** What the runs list may be asked (Engine.runs). */
export interface RunsQuery {
  status?: string;
  name?: string;
  /** Open runs waiting at this node. */
  node?: string;
  /** Workflow ids starting with this (taken literally: no wildcards). */
  q?: string;
  /** The `next` of the previous page. */
  cursor?: string;
  /** Runs per page: 1 to 200, default 50. */
  limit?: number;
  /** Runs of this version. */
  version?: number;
  /** Runs started at or after this instant (ISO 8601) ... */
  from?: string;
  /** ... and before this one. */
  to?: string;
}

/** The filters of a runs list as the store takes them, checked (BAD_REQUEST naming the field). */
function storeFilter(query: Omit<RunsQuery, "cursor" | "limit">) {
  const instant = (field: "from" | "to", value: string | undefined) => {
    if (value === undefined) return undefined;
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) throw new EngineError("BAD_REQUEST", `the ${field} time "${value.slice(0, 60)}" is not a date-time: write ISO 8601, such as 2026-12-01T09:00:00Z`, [{ id: field, message: "is not an ISO 8601 date-time" }]);
    return ms;
  };
  if (query.version !== undefined && (!Number.isSafeInteger(query.version) || query.version < 1)) {
    throw new EngineError("BAD_REQUEST", `the version must be a whole number from 1, not ${query.version}`, [{ id: "version", message: "is not a whole number from 1" }]);
  }
  return {
    status: query.status,
    name: query.name,
    node: query.node,
    prefix: query.q,
    version: query.version,
    startedFrom: instant("from", query.from),
    startedBefore: instant("to", query.to),
  };
}

/** How many runs each status has among those the list with these filters shows, its status aside: the live counts. */
export async function runCounts(db: SqlExecutor, dialect: "sqlite" | "postgresql", query: Omit<RunsQuery, "cursor" | "limit" | "status">): Promise<Record<RunStatus, number>> {
  const { status: _status, ...filter } = storeFilter(query);
  const counts = await countRuns(db, dialect, filter);
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, counts[s] ?? 0])) as Record<RunStatus, number>;
}

/** A page of runs, newest first, and the cursor of the next page when there is one. */
export async function runsPage(db: SqlExecutor, dialect: "sqlite" | "postgresql", query: RunsQuery): Promise<RunsPage> {
  const statuses: readonly string[] = RUN_STATUSES;
  if (query.status !== undefined && !statuses.includes(query.status)) {
    throw new EngineError("BAD_REQUEST", `"${query.status}" is not a run status: use one of ${RUN_STATUSES.join(", ")}`, [{ id: "status", message: `is not one of ${RUN_STATUSES.join(", ")}` }]);
  }
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new EngineError("BAD_REQUEST", `the limit must be a whole number from 1 to 200, not ${limit}`, [{ id: "limit", message: "is not a whole number from 1 to 200" }]);
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  // One row more than the page: whether there is a next page, without counting.
  const rows = await pageRuns(db, dialect, { ...storeFilter(query), after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { runs: page.map(summary), ...(rows.length > limit && last ? { next: encodeCursor(last) } : {}) };
}

/**
 * The cursor of the page after `row`: where it is in the list's order (started_at, run_id), in
 * base64url so that it is opaque and safe in a URL. It stays good however runs come and go.
 */
function encodeCursor(row: { startedAt: number; runId: string }): string {
  return Buffer.from(JSON.stringify([row.startedAt, row.runId])).toString("base64url");
}

function decodeCursor(cursor: string): { startedAt: number; runId: string } {
  try {
    const [startedAt, runId] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof startedAt === "number" && Number.isFinite(startedAt) && typeof runId === "string") return { startedAt, runId };
  } catch {
    // below
  }
  const shown = cursor.length > 40 ? `${cursor.slice(0, 40)}…` : cursor;
  throw new EngineError("BAD_REQUEST", `the cursor "${shown}" is not one this list gave: give the "next" of the previous page`, [{ id: "cursor", message: "is not a cursor this list gave" }]);
}

/** The activity of each step node of a version's document, by node id (versions never change: kept by the engine). */
export type StepActivities = Map<string, ReadonlyMap<string, string>>;

/**
 * Where a workflow's open runs wait, per node, the oldest wait's since as ISO 8601; at a step,
 * the activity its runs wait for, from the document of the version each run is on (the draft
 * may name another by now).
 */
export async function waitingPerNode(db: SqlExecutor, name: string, known: StepActivities = new Map()): Promise<WaitingNode[]> {
  const groups = await waitsOf(db, name);
  const key = (version: number) => `${name}\u0000${version}`;
  const missing = [...new Set(groups.filter((g) => g.kind === "activity" && !known.has(key(g.version))).map((g) => g.version))];
  if (missing.length > 0) {
    const rows = await db.query(`SELECT version, document FROM workflow_version WHERE name = ? AND version IN (${missing.map(() => "?").join(", ")})`, [name, ...missing]);
    for (const row of rows) {
      const doc = JSON.parse(String(row.document)) as { nodes?: { id?: unknown; type?: unknown; activity?: unknown }[] };
      const steps = new Map<string, string>();
      for (const n of Array.isArray(doc.nodes) ? doc.nodes : []) if (n?.type === "step" && typeof n.id === "string" && typeof n.activity === "string") steps.set(n.id, n.activity);
      known.set(key(Number(row.version)), steps);
    }
  }
  const byNode = new Map<string, WaitingNode & { since: number }>();
  for (const g of groups) {
    const activity = g.kind === "activity" ? known.get(key(g.version))?.get(g.nodeId) : undefined;
    const node = byNode.get(g.nodeId);
    if (!node) {
      byNode.set(g.nodeId, { nodeId: g.nodeId, runs: g.runs, oldestSince: "", since: g.oldestSince, retrying: g.retrying, kind: g.kind, ...(activity === undefined ? {} : { activities: [activity] }) });
      continue;
    }
    node.runs += g.runs;
    node.retrying += g.retrying;
    node.since = Math.min(node.since, g.oldestSince);
    if (activity !== undefined && !node.activities?.includes(activity)) node.activities = [...(node.activities ?? []), activity].sort();
  }
  return [...byNode.values()].map(({ since, ...w }) => ({ ...w, oldestSince: new Date(since).toISOString() }));
}

/** An approval request as the inbox shows it, by `${runId}:${seq}` (see pendingApprovals). */
export type ApprovalRequests = Map<string, Omit<PendingApproval, "workflowId" | "runId" | "approvals">>;

/**
 * Approvals waiting for a decision, oldest first: the requests (ApprovalRequested) running runs
 * wait on, found by the runs' wait columns (a read of the open runs, not a search of every
 * history for requests nobody answered). `assignee`: only those naming that user or role;
 * `filter`: only those it says yes to (the app passes who may decide, permissions.ts
 * mayDecide), asked once per distinct list of assignees.
 *
 * An approval with a decision stored (acknowledged to its decider) that the run has not taken
 * yet waits for no decision: it is left out, or with `decided` kept with that decision
 * (`decision`), so that a decision shows everywhere the moment it is accepted, not when a
 * worker takes it.
 *
 * History events never change, so the requests read and decoded once are kept in `requests`
 * (the engine's, for as long as they are pending): an inbox looked at again reads only the
 * open runs, and the requests that are new since.
 */
export async function pendingApprovals(
  db: SqlExecutor,
  codec: PayloadCodec,
  filter: { assignee?: string; limit?: number; filter?: (assignees: string[]) => boolean; decided?: boolean } = {},
  requests: ApprovalRequests = new Map(),
): Promise<PendingApproval[]> {
  const waiting = await db.query<{ workflow_id: string; run_id: string; wait_seq: number; name: string }>(
    "SELECT workflow_id, run_id, wait_seq, name FROM run WHERE status = 'running' AND wait_kind = 'approval' ORDER BY wait_since, run_id",
  );
  const key = (runId: string, seq: number) => `${runId}:${Number(seq)}`;
  const answers = new Map<string, boolean>();
  const out: PendingApproval[] = [];
  let complete = true;
  scan: for (let from = 0; from < waiting.length; from += 500) {
    const chunk = waiting.slice(from, from + 500);
    const missing = chunk.filter((w) => !requests.has(key(w.run_id, w.wait_seq))).map((w) => w.run_id);
    if (missing.length > 0) {
      // The runs' approval requests, through the partial index on them (usually one a run).
      const rows = await db.query<{ run_id: string; seq: number; at: number; data: string | null }>(
        `SELECT run_id, seq, at, data FROM history_event WHERE type = 'ApprovalRequested' AND run_id IN (${missing.map(() => "?").join(", ")})`,
        missing,
      );
      // What the approver decides on: the run's input, and who started it (the first event).
      const starts = new Map<string, { input?: unknown; startedBy?: string }>();
      for (const row of await db.query<{ run_id: string; data: string | null }>(
        `SELECT run_id, data FROM history_event WHERE type = 'WorkflowStarted' AND run_id IN (${missing.map(() => "?").join(", ")})`,
        missing,
      )) {
        const e = (row.data === null ? {} : codec.decode(row.data)) as { input?: unknown; startedBy?: string };
        starts.set(row.run_id, { input: e.input, ...(typeof e.startedBy === "string" ? { startedBy: e.startedBy } : {}) });
      }
      const names = new Map(chunk.map((w) => [w.run_id, w.name]));
      for (const row of rows) {
        // The event's fields but its type, seq and time (history-store.ts eventRow).
        const e = (row.data === null ? {} : codec.decode(row.data)) as Omit<Extract<RecordedEvent, { type: "ApprovalRequested" }>, "type" | "seq" | "at">;
        requests.set(key(row.run_id, row.seq), {
          nodeId: e.nodeId,
          ...(e.title === undefined ? {} : { title: e.title }),
          ...(e.message === undefined ? {} : { message: e.message }),
          assignees: e.assignees ?? [],
          since: new Date(Number(row.at)).toISOString(),
          ...(e.dueAt === undefined ? {} : { dueAt: new Date(e.dueAt).toISOString() }),
          name: names.get(row.run_id) ?? "",
          input: starts.get(row.run_id)?.input ?? null,
          ...(starts.get(row.run_id)?.startedBy === undefined ? {} : { startedBy: starts.get(row.run_id)!.startedBy }),
          quorum: e.quorum ?? 1,
          ...(e.notStarter === true ? { notStarter: true } : {}),
        });
      }
    }
    // Decisions accepted that these runs have not taken yet (rare, and brief while workers run).
    const decided = new Map((await decisionsOf(db, codec, chunk.map((w) => w.run_id))).map((d) => [`${d.runId}\u0000${d.nodeId}`, d]));
    for (const w of chunk) {
      const request = requests.get(key(w.run_id, w.wait_seq));
      if (!request) continue;
      const decision = decided.get(`${w.run_id}\u0000${request.nodeId}`);
      if (decision && !filter.decided) continue;
      const assignees = request.assignees;
      if (filter.assignee !== undefined && !assignees.includes(filter.assignee)) continue;
      if (filter.filter) {
        const list = JSON.stringify(assignees);
        let yes = answers.get(list);
        if (yes === undefined) answers.set(list, (yes = filter.filter(assignees)));
        if (!yes) continue;
      }
      out.push({
        workflowId: w.workflow_id, runId: w.run_id, ...request, assignees: [...assignees], approvals: [],
        ...(decision ? { decision: { approved: decision.approved, by: decision.by, ...(decision.comment === undefined ? {} : { comment: decision.comment }), at: decision.at } } : {}),
      });
      if (filter.limit !== undefined && out.length >= filter.limit) {
        complete = from + 500 >= waiting.length && w === chunk.at(-1);
        break scan;
      }
    }
  }
  // The approvals so far of those that need several (a quorum).
  const several = out.filter((a) => a.quorum > 1);
  if (several.length > 0) {
    const seqs = new Map(waiting.map((w) => [w.run_id, Number(w.wait_seq)]));
    for (const v of await votesOf(db, codec, several.map((a) => a.runId))) {
      const a = several.find((x) => x.runId === v.runId && x.nodeId === v.nodeId);
      if (a && voteCounts(v.requestSeq, seqs.get(v.runId) ?? -1)) a.approvals.push(v.vote);
    }
  }
  // Kept: the requests pending now, no more (those of a run's earlier requests, and of
  // approvals decided since, go).
  if (complete && requests.size > waiting.length) {
    const pending = new Set(waiting.map((w) => key(w.run_id, w.wait_seq)));
    for (const k of requests.keys()) if (!pending.has(k)) requests.delete(k);
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
    // An event this process cannot read says nothing it could use here (see describeRun).
    if ("undecryptable" in e) continue;
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
          ...((e.quorum ?? 1) > 1 ? { quorum: e.quorum, approvals: [] } : {}),
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

/**
 * How many runs a runs list leaves out because they continued as new (each is shown by the run
 * that carries on, its status "running" or its end): those of the workflow `name`, if given;
 * none when the list asks for a status other than running.
 */
export async function continuedRunsHidden(db: SqlExecutor, filter: { status?: string; name?: string }): Promise<number> {
  if (filter.status !== undefined && filter.status !== "running") return 0;
  const rows = filter.name === undefined
    ? await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM run WHERE status = 'continued'")
    : await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM run WHERE status = 'continued' AND name = ?", [filter.name]);
  return Number(rows[0]?.n ?? 0);
}
