// Runs: one row per run, the open one of a workflow id unique by a partial index.

import type { PayloadCodec } from "./codec.ts";
import type { ErrorInfo } from "./runtime/events.ts";
import type { SqlExecutor } from "./storage/types.ts";

export type RunStatus = "running" | "completed" | "failed" | "cancelled" | "terminated" | "continued";

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
}

const COLUMNS =
  "run_id, workflow_id, name, version, hash, status, input, result, error, started_at, closed_at, first_run_id, continued_from_run_id, next_seq";

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
    error: r.error === null ? null : (codec.decode(String(r.error)) as ErrorInfo),
    startedAt: Number(r.started_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    firstRunId: String(r.first_run_id),
    continuedFromRunId: (r.continued_from_run_id as string | null) ?? null,
    nextSeq: Number(r.next_seq),
  };
}

export async function insertRun(
  tx: SqlExecutor,
  codec: PayloadCodec,
  run: Omit<RunRow, "status" | "result" | "error" | "closedAt" | "nextSeq">,
  nextSeq: number,
): Promise<void> {
  await tx.execute(
    `INSERT INTO run (run_id, workflow_id, name, version, hash, status, input, started_at, first_run_id, continued_from_run_id, next_seq, updated_at)
     VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
    [run.runId, run.workflowId, run.name, run.version, run.hash, codec.encode(run.input), run.startedAt, run.firstRunId, run.continuedFromRunId, nextSeq, run.startedAt],
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
  await tx.execute("UPDATE run SET status = ?, result = ?, error = ?, closed_at = ?, updated_at = ? WHERE run_id = ?", [
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

/** How many runs of each workflow are running now, by name (the workflows list's open runs). */
export async function openRunCounts(db: SqlExecutor): Promise<Map<string, number>> {
  const rows = await db.query("SELECT name, COUNT(*) AS n FROM run WHERE status = 'running' GROUP BY name");
  return new Map(rows.map((r) => [String(r.name), Number(r.n)]));
}
