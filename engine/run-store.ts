// Runs: one row per run, the open one of a workflow id unique by a partial index.

import { isUndecryptable, type PayloadCodec } from "./codec.ts";
import type { Divergence, ErrorInfo } from "./runtime/events.ts";
import type { SqlExecutor } from "./storage/types.ts";

export type RunStatus = "running" | "completed" | "failed" | "cancelled" | "terminated" | "continued";

/**
 * Where an open run waits: the node, since when (epoch ms), and whether for a failed step's next
 * attempt. The runtime is sequential, so a run waits at one node at most; should parallel
 * branches come, this becomes a list (a table of waits), and only this module reads it.
 */
export interface RunWait {
  nodeId: string;
  kind: "activity" | "timer" | "approval" | "signal";
  since: number;
  retrying: boolean;
  /** The seq of the history event that began the wait (its command). */
  seq: number;
}

export interface RunRow {
  runId: string;
  workflowId: string;
  name: string;
  version: number;
  hash: string;
  status: RunStatus;
  input: unknown;
  result: unknown;
  error: ErrorInfo | null;
  startedAt: number;
  closedAt: number | null;
  firstRunId: string;
  continuedFromRunId: string | null;
  nextSeq: number;
  /** Where it waits (null: nowhere, or not known yet); absent where it is not read. */
  wait?: RunWait | null;
  /** Held: its code no longer replays its history (worker/hold.ts); null when not; absent where not read. */
  held?: RunHold | null;
}

/**
 * Why and where a run is held: the node where its replay broke, the reason (the error's
 * message), since when, on which version's code, and the error's fields (absent for runs held
 * before they were kept).
 */
export interface RunHold {
  nodeId: string;
  reason: string;
  since: number;
  version: number;
  divergence?: Divergence;
}

const COLUMNS =
  "run_id, workflow_id, name, version, hash, status, input, result, error, started_at, closed_at, first_run_id, continued_from_run_id, next_seq, wait_node, wait_kind, wait_since, wait_retrying, wait_seq, held_node, held_reason, held_since, held_version, held_detail";

export function toWait(r: Record<string, unknown>): RunWait | null {
  if (r.wait_node === null || r.wait_node === undefined) return null;
  return { nodeId: String(r.wait_node), kind: r.wait_kind as RunWait["kind"], since: Number(r.wait_since), retrying: Number(r.wait_retrying) === 1, seq: Number(r.wait_seq) };
}

export function toRun(codec: PayloadCodec, r: Record<string, unknown>): RunRow {
  return {
    runId: String(r.run_id),
    workflowId: String(r.workflow_id),
    name: String(r.name),
    version: Number(r.version),
    hash: String(r.hash),
    status: r.status as RunStatus,
    input: r.input === null ? null : codec.decode(String(r.input)),
    result: r.result === null ? null : codec.decode(String(r.result)),
    error: r.error === null ? null : errorInfo(codec.decode(String(r.error))),
    startedAt: Number(r.started_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    firstRunId: String(r.first_run_id),
    continuedFromRunId: (r.continued_from_run_id as string | null) ?? null,
    nextSeq: Number(r.next_seq),
    wait: toWait(r),
    held: toHold(r),
  };
}

/** A run's error as stored; one that cannot be read (codec.ts showingUndecryptable) keeps the { type, message } shape, saying why. */
function errorInfo(value: unknown): ErrorInfo {
  return isUndecryptable(value) ? { type: "Undecryptable", message: value.undecryptable } : (value as ErrorInfo);
}

export function toHold(r: Record<string, unknown>): RunHold | null {
  if (r.held_node === null || r.held_node === undefined) return null;
  const divergence = divergenceOf(r.held_detail);
  return { nodeId: String(r.held_node), reason: String(r.held_reason ?? ""), since: Number(r.held_since), version: Number(r.held_version), ...(divergence ? { divergence } : {}) };
}

function divergenceOf(text: unknown): Divergence | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const value = JSON.parse(text) as Divergence;
    return value && typeof value === "object" && typeof value.code === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Marks a run held (`hold`), or no longer (null), in the caller's transaction. */
export async function setHold(tx: SqlExecutor, runId: string, hold: RunHold | null): Promise<void> {
  await tx.execute("UPDATE run SET held_node = ?, held_reason = ?, held_since = ?, held_version = ?, held_detail = ? WHERE run_id = ?", [
    hold?.nodeId ?? null,
    hold?.reason ?? null,
    hold?.since ?? null,
    hold?.version ?? null,
    hold?.divergence ? JSON.stringify(hold.divergence) : null,
    runId,
  ]);
}

export async function insertRun(
  tx: SqlExecutor,
  codec: PayloadCodec,
  run: Omit<RunRow, "status" | "result" | "error" | "closedAt" | "nextSeq">,
  nextSeq: number,
): Promise<void> {
  const wait = run.wait ?? null;
  await tx.execute(
    `INSERT INTO run (run_id, workflow_id, name, version, hash, status, input, started_at, first_run_id, continued_from_run_id, next_seq, updated_at, wait_node, wait_kind, wait_since, wait_retrying, wait_seq)
     VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      run.runId, run.workflowId, run.name, run.version, run.hash, codec.encode(run.input), run.startedAt, run.firstRunId, run.continuedFromRunId, nextSeq, run.startedAt,
      wait?.nodeId ?? null, wait?.kind ?? null, wait?.since ?? null, wait?.retrying ? 1 : 0, wait?.seq ?? null,
    ],
  );
}

export async function getRun(db: SqlExecutor, codec: PayloadCodec, runId: string): Promise<RunRow | undefined> {
  const rows = await db.query(`SELECT ${COLUMNS} FROM run WHERE run_id = ?`, [runId]);
  return rows[0] ? toRun(codec, rows[0]) : undefined;
}

/** Several runs by id, in one statement (those that exist, in no particular order). */
export async function getRuns(db: SqlExecutor, codec: PayloadCodec, runIds: string[]): Promise<RunRow[]> {
  if (runIds.length === 0) return [];
  const rows = await db.query(`SELECT ${COLUMNS} FROM run WHERE run_id IN (${runIds.map(() => "?").join(", ")})`, runIds);
  return rows.map((r) => toRun(codec, r));
}

/** The open run of a workflow id, else its latest run. */
export async function findRun(db: SqlExecutor, codec: PayloadCodec, workflowId: string): Promise<RunRow | undefined> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM run WHERE workflow_id = ? ORDER BY CASE WHEN status = 'running' THEN 0 ELSE 1 END, started_at DESC, next_seq DESC LIMIT 1`,
    [workflowId],
  );
  return rows[0] ? toRun(codec, rows[0]) : undefined;
}

export async function closeRun(
  tx: SqlExecutor,
  codec: PayloadCodec,
  runId: string,
  status: Exclude<RunStatus, "running">,
  at: number,
  outcome: { result?: unknown; error?: ErrorInfo },
): Promise<void> {
  // A closed run waits nowhere, and is held nowhere.
  await tx.execute("UPDATE run SET status = ?, result = ?, error = ?, closed_at = ?, updated_at = ?, wait_node = NULL, wait_kind = NULL, wait_since = NULL, wait_retrying = 0, wait_seq = NULL, held_node = NULL, held_reason = NULL, held_since = NULL, held_version = NULL, held_detail = NULL WHERE run_id = ?", [
    status,
    outcome.result === undefined ? null : codec.encode(outcome.result),
    outcome.error === undefined ? null : codec.encode(outcome.error),
    at,
    at,
    runId,
  ]);
}

export async function listRuns(
  db: SqlExecutor,
  codec: PayloadCodec,
  filter: { status?: string; name?: string; limit?: number; excludeContinued?: boolean },
): Promise<RunRow[]> {
  const where: string[] = filter.excludeContinued ? ["status <> 'continued'"] : [];
  const params: (string | number)[] = [];
  if (filter.status) {
    where.push("status = ?");
    params.push(filter.status);
  }
  if (filter.name) {
    where.push("name = ?");
    params.push(filter.name);
  }
  params.push(filter.limit ?? 100);
  const rows = await db.query(`SELECT ${COLUMNS} FROM run${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, run_id DESC LIMIT ?`, params);
  return rows.map((r) => toRun(codec, r));
}

/** The open runs of a workflow (any version): what a compatibility check replays. */
export async function openRunsOf(db: SqlExecutor, name: string): Promise<{ runId: string; workflowId: string; version: number; waitNode: string | null }[]> {
  const rows = await db.query("SELECT run_id, workflow_id, version, wait_node FROM run WHERE status = 'running' AND name = ? ORDER BY started_at, run_id", [name]);
  return rows.map((r) => ({ runId: String(r.run_id), workflowId: String(r.workflow_id), version: Number(r.version), waitNode: (r.wait_node as string | null) ?? null }));
}

/** The held runs of a workflow (worker/hold.ts): a new version declared compatible wakes them. */
export async function heldRunsOf(db: SqlExecutor, name: string): Promise<{ runId: string; version: number }[]> {
  const rows = await db.query("SELECT run_id, version FROM run WHERE status = 'running' AND name = ? AND held_node IS NOT NULL", [name]);
  return rows.map((r) => ({ runId: String(r.run_id), version: Number(r.version) }));
}

/** How many runs of each workflow are running now, by name (the workflows list's open runs). */
export async function openRunCounts(db: SqlExecutor): Promise<Map<string, number>> {
  const rows = await db.query("SELECT name, COUNT(*) AS n FROM run WHERE status = 'running' GROUP BY name");
  return new Map(rows.map((r) => [String(r.name), Number(r.n)]));
}

/** A run as the runs list shows it: no payloads. */
export interface RunListRow {
  runId: string;
  workflowId: string;
  name: string;
  version: number;
  status: RunStatus;
  startedAt: number;
  closedAt: number | null;
  wait: RunWait | null;
}

export interface RunPageQuery {
  status?: string;
  name?: string;
  /** Open runs waiting at this node. */
  node?: string;
  /** Workflow ids starting with this, taken literally. */
  prefix?: string;
  /** The last row of the previous page: this page starts after it. */
  after?: { startedAt: number; runId: string };
  limit: number;
  /** Runs of this version (of the workflow `name`). */
  version?: number;
  /** Runs started at or after this instant (epoch ms), and before `startedBefore`. */
  startedFrom?: number;
  startedBefore?: number;
}

/**
 * A page of runs, newest first (started_at DESC, run_id DESC), keyset-paged: each filter has an
 * index that starts with its column and goes on with (started_at, run_id) (migration
 * 20261201030000_run_waits), so a page reads its rows and no more. A run continued as new is
 * listed by the run that carries on (`status <> 'continued'`), not twice. `node` reads the open
 * runs (the wait columns are not indexed, see that migration) until a page is full.
 */
export async function pageRuns(db: SqlExecutor, dialect: "sqlite" | "postgresql", q: RunPageQuery): Promise<RunListRow[]> {
  const { where, params } = runFilter(dialect, q);
  if (q.after) {
    where.push("(started_at, run_id) < (?, ?)");
    params.push(q.after.startedAt, q.after.runId);
  }
  params.push(q.limit);
  return pageRows(db, where, params);
}

/**
 * How many runs each status has among those a runs list with these filters shows (its status
 * filter aside): the list's live counts. Continued runs are counted by the run that carries on.
 */
export async function countRuns(db: SqlExecutor, dialect: "sqlite" | "postgresql", q: Omit<RunPageQuery, "limit" | "after" | "status">): Promise<Record<string, number>> {
  const { where, params } = runFilter(dialect, q);
  const rows = await db.query(`SELECT status, COUNT(*) AS n FROM run ${where.length ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY status`, params);
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}

/** The WHERE of a runs list, cursor aside (see pageRuns). */
function runFilter(dialect: "sqlite" | "postgresql", q: Omit<RunPageQuery, "limit" | "after">): { where: string[]; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.version !== undefined) {
    where.push("version = ?");
    params.push(q.version);
  }
  if (q.startedFrom !== undefined) {
    where.push("started_at >= ?");
    params.push(q.startedFrom);
  }
  if (q.startedBefore !== undefined) {
    where.push("started_at < ?");
    params.push(q.startedBefore);
  }
  if (q.status !== undefined) {
    where.push("status = ?");
    params.push(q.status);
  } else if (q.node === undefined) {
    where.push("status <> 'continued'");
  }
  if (q.name !== undefined) {
    where.push("name = ?");
    params.push(q.name);
  }
  if (q.node !== undefined) {
    where.push("status = 'running' AND wait_node = ?");
    params.push(q.node);
  }
  if (q.prefix !== undefined && q.prefix !== "") {
    // A range, which an index serves (LIKE would take the user's % and _ as wildcards, and
    // would need its own index on PostgreSQL). Compared in code-point order on both databases:
    // SQLite compares text bytewise; PostgreSQL is told to (COLLATE "C", see the migration).
    const id = dialect === "postgresql" ? `workflow_id COLLATE "C"` : "workflow_id";
    const upper = prefixSuccessor(q.prefix);
    where.push(`${id} >= ?`);
    params.push(q.prefix);
    if (upper === undefined) {
      where.push("substr(workflow_id, 1, ?) = ?");
      params.push([...q.prefix].length, q.prefix);
    } else {
      where.push(`${id} < ?`);
      params.push(upper);
    }
  }
  return { where, params };
}

async function pageRows(db: SqlExecutor, where: string[], params: (string | number)[]): Promise<RunListRow[]> {
  const rows = await db.query(
    `SELECT run_id, workflow_id, name, version, status, started_at, closed_at, wait_node, wait_kind, wait_since, wait_retrying, wait_seq FROM run
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, run_id DESC LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    runId: String(r.run_id),
    workflowId: String(r.workflow_id),
    name: String(r.name),
    version: Number(r.version),
    status: r.status as RunStatus,
    startedAt: Number(r.started_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    wait: toWait(r),
  }));
}

/**
 * The least string greater than every string that starts with `prefix`, in code-point order:
 * its last code point, plus one. Undefined when there is none (it ends with U+10FFFF).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // no surrogate is a code point
    if (next <= 0x10ffff) return points.join("") + String.fromCodePoint(next);
  }
  return undefined;
}

/** How many open runs of one version wait at one node, of one kind: a row of waitsOf. */
export interface WaitGroup {
  nodeId: string;
  kind: RunWait["kind"];
  version: number;
  runs: number;
  oldestSince: number;
  retrying: number;
}

/**
 * Where the open runs of a workflow (any version) wait: per node, kind and version, how many,
 * since when, how many retrying; one read grouped in the database. On SQLite it reads a partial
 * index of the open runs' waits alone (migration 20261202010000_run_open_waits). On PostgreSQL
 * the wait columns stay unindexed, on purpose: they change at every step, and an index on them
 * would take every step's heap-only update away (migration 20261201030000_run_waits); it scans
 * the workflow's open runs instead. Measured with 100,000 open runs of one workflow by `npm run
 * bench -- operate`.
 */
export async function waitsOf(db: SqlExecutor, name: string): Promise<WaitGroup[]> {
  const rows = await db.query(
    `SELECT wait_node, wait_kind, version, COUNT(*) AS runs, MIN(wait_since) AS oldest, SUM(wait_retrying) AS retrying
     FROM run WHERE status = 'running' AND name = ? AND wait_node IS NOT NULL GROUP BY wait_node, wait_kind, version ORDER BY wait_node, version`,
    [name],
  );
  return rows.map((r) => ({
    nodeId: String(r.wait_node),
    kind: r.wait_kind as RunWait["kind"],
    version: Number(r.version),
    runs: Number(r.runs),
    oldestSince: Number(r.oldest),
    retrying: Number(r.retrying),
  }));
}

/**
 * The continue-as-new chain that ends with run `runId` of `workflowId`, first run first: each
 * run with its number of events and the number of events of the runs before it (the offset of
 * its event ids, see Engine.watch). Followed back by continued_from_run_id over the workflow
 * id's runs, read in one statement.
 */
export async function continueChain(db: SqlExecutor, workflowId: string, runId: string): Promise<{ runId: string; offset: number; events: number }[]> {
  const rows = await db.query("SELECT run_id, continued_from_run_id, next_seq FROM run WHERE workflow_id = ?", [workflowId]);
  const byId = new Map(rows.map((r) => [String(r.run_id), r]));
  const back: Record<string, unknown>[] = [];
  for (let r = byId.get(runId); r !== undefined && back.length <= rows.length; r = r.continued_from_run_id ? byId.get(String(r.continued_from_run_id)) : undefined) back.push(r);
  let offset = 0;
  return back.reverse().map((r) => {
    const events = Number(r.next_seq) - 1;
    const link = { runId: String(r.run_id), offset, events };
    offset += events;
    return link;
  });
}
