// The subcommands that talk to the engine: deploy, start, signal, approve, decline, describe,
// history, query, cancel, terminate. Each opens the database without the Prisma client and
// without the compiler unless it needs them, so that scripts calling them in loops stay fast.

import { readFileSync } from "node:fs";
import type { Engine } from "../engine.ts";
import type { PendingItem, WorkerSummary } from "../run-views.ts";
import { eventJson } from "../history-json.ts";
import { eventLine } from "./event-lines.ts";
import { readDocument } from "./read-document.ts";
import { UserError } from "./user-error.ts";

export interface Output {
  json?: boolean;
}

async function withEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const { Engine } = await import("../engine.ts");
  const { EngineError } = await import("../errors.ts");
  const { CodecError } = await import("../codec.ts");
  let engine: Engine;
  try {
    engine = await Engine.open();
  } catch (err) {
    // A bad key says so itself; anything else is the database's.
    if (err instanceof EngineError) throw new UserError(err.message, err.code);
    throw new UserError(`cannot open the database: ${(err as Error).message}`);
  }
  try {
    return await fn(engine);
  } catch (err) {
    if (err instanceof EngineError) {
      // A document's compile errors print as `weft compile` prints them; other reasons, such
      // as input against its schema, already name every field in their one line.
      throw new UserError(err.message, err.code, err.errors, err.code === "INVALID" && err.document === true);
    }
    // A payload this process cannot read where it must (a replay, a write): one line, no stack.
    if (err instanceof CodecError) throw new UserError(err.message, "UNAVAILABLE");
    throw err;
  } finally {
    await engine.close();
  }
}

function print(value: unknown, options: Output, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** A JSON argument, given inline or, as `@FILE`, in a file (`-` after the @: standard input). */
export function parseJson(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  let json = text;
  if (text.startsWith("@")) {
    const file = text.slice(1);
    try {
      json = readFileSync(file === "-" ? 0 : file, "utf8");
    } catch (err) {
      throw new UserError(`${what}: cannot read ${file === "-" ? "standard input" : file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
    }
  }
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new UserError(`${what} is not JSON${text.startsWith("@") ? ` (in ${text.slice(1)})` : ""}: ${(err as Error).message}`);
  }
}

/**
 * `weft deploy`. With --compatible-with N, the open runs that would move to the new code are
 * replayed on it first; the deploy is refused, naming each run and node, when any would break,
 * unless --force (those runs are then held, and the output says how many).
 */
export async function deployCommand(file: string, options: Output & { compatibleWith?: string; force?: boolean }): Promise<void> {
  const document = readDocument(file);
  let compatibleWith: number | undefined;
  if (options.compatibleWith !== undefined) {
    compatibleWith = Number(options.compatibleWith);
    if (!/^[1-9][0-9]*$/.test(options.compatibleWith)) throw new UserError(`--compatible-with takes a version number (1, 2, …), not "${options.compatibleWith}"`);
  }
  if (options.force && compatibleWith === undefined) throw new UserError("--force goes with --compatible-with N: it declares the new version compatible even though some runs do not replay on it");
  await withEngine(async (engine) => {
    const r = await engine.deploy(document, { compatibleWith, force: options.force });
    const held = r.breaking ?? [];
    const out = { name: r.name, version: r.version, hash: r.hash, ...(r.moved === undefined ? {} : { moved: r.moved, held: held.map((b) => ({ workflowId: b.workflowId, runId: b.runId, nodeId: b.nodeId })) }) };
    print(out, options, () => {
      if (!r.created) return `${r.name} version ${r.version} is already this document (${r.hash})`;
      const line = `deployed ${r.name} version ${r.version} (${r.hash})`;
      if (compatibleWith === undefined) return line;
      const moved = `; the ${r.moved} open run${r.moved === 1 ? "" : "s"} of version ${compatibleWith} (and of versions moved to it) resume on it, each checked to replay on it`;
      if (held.length === 0) return line + moved;
      return (
        `${line}; declared compatible with version ${compatibleWith} by --force: ${held.length} of its ${r.moved} open runs do not replay on it and are held where they are ` +
        `(${held.map((b) => `${b.workflowId} at ${b.nodeId}`).join(", ")}) until a version they replay on is deployed --compatible-with ${compatibleWith}`
      );
    });
  });
}

/**
 * `weft start`; with --wait, also waits for the run to end (across continue-as-new) and prints
 * its outcome: exit status 0 when it completed, 2 when it failed or was cancelled or terminated.
 */
export async function startCommand(name: string, options: Output & { input?: string; id?: string; wait?: boolean }): Promise<number> {
  const input = parseJson(options.input, "--input");
  return withEngine(async (engine) => {
    const r = await engine.start(name, { input, workflowId: options.id, by: commandUser() });
    if (!options.wait) {
      print(r, options, () => `started ${r.workflowId} (run ${r.runId})`);
      return 0;
    }
    for await (const _ of engine.watch(r.workflowId)); // returns when the run ends
    const d = await engine.describe(r.workflowId);
    const outcome = { workflowId: d.workflowId, runId: d.runId, status: d.status, ...(d.result === undefined ? {} : { result: d.result }), ...(d.error ? { error: d.error } : {}) };
    print(outcome, options, () => `${d.workflowId} ${d.status}${d.result === undefined ? "" : `: ${JSON.stringify(d.result)}`}`);
    if (d.status === "completed") return 0;
    process.stderr.write(`weft: ${d.workflowId} ${d.status}${d.error ? `: ${d.error.type}: ${d.error.message}` : ""}\n`);
    return 2;
  });
}

export async function signalCommand(workflowId: string, signal: string, options: Output & { payload?: string; start?: string; input?: string }): Promise<void> {
  const payload = parseJson(options.payload, "--payload");
  if (options.input !== undefined && options.start === undefined) throw new UserError("--input goes with --start WORKFLOW: the input of the run to start when none is open");
  const input = parseJson(options.input, "--input");
  await withEngine(async (engine) => {
    if (options.start === undefined) {
      const r = await engine.signal(workflowId, signal, payload, commandUser());
      print({ ...r, signal }, options, () => `signal ${signal} stored for ${workflowId}`);
      return;
    }
    const r = await engine.signalWithStart(workflowId, signal, payload, { workflow: options.start, input, by: commandUser() });
    print({ ...r, signal }, options, () => `${r.started ? `started ${workflowId} (run ${r.runId}) and stored` : "stored"} signal ${signal} for it`);
  });
}

export async function decideCommand(
  decision: "approve" | "decline",
  workflowId: string,
  options: Output & { node?: string; by?: string; comment?: string },
): Promise<void> {
  await withEngine(async (engine) => {
    const r = await engine.decide(workflowId, decision, { nodeId: options.node, by: options.by ?? process.env.USER ?? "cli", comment: options.comment });
    print({ ...r, decision }, options, () => `${decision === "approve" ? "approved" : "declined"} ${r.nodeId} of ${workflowId}`);
  });
}

export async function describeCommand(workflowId: string, options: Output): Promise<void> {
  await withEngine(async (engine) => {
    const d = await engine.describe(workflowId);
    // For a person: whether anyone can take the work the run waits on.
    const workers = options.json || d.status !== "running" ? [] : await engine.workers();
    print(d, options, () => {
      const origin = d.retriedFromRunId ? `, retrying run ${d.retriedFromRunId}` : d.continuedFromRunId ? `, continuing run ${d.continuedFromRunId}` : "";
      const on = d.startedVersion === undefined ? "" : ` (started on v${d.startedVersion})`;
      const lines = [`${d.workflowId}  ${d.name} v${d.version}${on}  ${d.status}`, `run ${d.runId}, started ${d.startedAt}${d.closedAt ? `, closed ${d.closedAt}` : ""}${origin}`];
      lines.push(`input: ${JSON.stringify(d.input)}`);
      if (d.result !== undefined) lines.push(`result: ${JSON.stringify(d.result)}`);
      if (d.error) lines.push(`error: ${d.error.type}: ${d.error.message}`);
      if (d.held) {
        lines.push(
          `held at ${d.held.nodeId} since ${d.held.since}: the code of v${d.held.version} does not replay its history (${d.held.reason}); ` +
            `it resumes when a version it replays on is deployed with --compatible-with ${d.startedVersion ?? d.version}`,
        );
      }
      for (const p of d.pending) {
        if (p.kind === "held") continue; // said above
        const parts = [`waiting at ${p.nodeId} (${p.kind}${p.activity ? ` ${p.activity}` : ""})`];
        if (p.attempt !== undefined) parts.push(`attempt ${p.attempt}`);
        if (p.worker !== undefined) parts.push(`running on ${p.worker}`);
        if (p.nextAttemptAt !== undefined) parts.push(`next attempt in ${Math.max(0, (Date.parse(p.nextAttemptAt) - Date.now()) / 1000).toFixed(1)} s`);
        if (p.lastError) parts.push(`last error ${p.lastError.type}: ${p.lastError.message}`);
        if (p.dueAt !== undefined) parts.push(`due ${p.dueAt}`);
        if (p.received) parts.push(`"${p.received.signal}" received at ${p.received.at}${p.received.by ? ` from ${p.received.by}` : ""}, ${p.received.held ? "taken once the run is freed" : "taken once a worker picks the run up"}`);
        lines.push(parts.join(", "));
      }
      if (d.status === "running" && d.pending.length === 0) lines.push("waiting for a worker to take its next step");
      if (d.status === "running") lines.push(...workerHints(d.pending, workers));
      return lines.join("\n");
    });
  });
}

export async function listCommand(options: Output & { status?: string; name?: string; limit?: string }): Promise<void> {
  if (!/^[0-9]+$/.test(options.limit ?? "100")) throw new UserError(`--limit takes a whole number from 1 to 1000, not "${options.limit}"`);
  const limit = Number(options.limit ?? 100);
  await withEngine(async (engine) => {
    const runs = await engine.list({ status: options.status, name: options.name, limit });
    // Runs that continued as new are shown by the run that carries on: the list says so, so
    // that nobody looks for them in vain.
    const hidden = options.json ? 0 : await engine.continuedHidden({ status: options.status, name: options.name });
    const footer = hidden === 0 ? [] : [`(${hidden} earlier run${hidden === 1 ? "" : "s"} that continued as new ${hidden === 1 ? "is" : "are"} not listed: each is shown by the run that carries on, under the same workflow id)`];
    print(runs, options, () => {
      if (runs.length === 0) return ["no runs", ...footer].join("\n");
      const width = Math.max(...runs.map((r) => r.workflowId.length));
      return [
        ...runs.map((r) => `${r.workflowId.padEnd(width)}  ${`${r.name} v${r.version}`.padEnd(24)} ${r.status.padEnd(10)} started ${r.startedAt}${r.closedAt ? `, closed ${r.closedAt}` : ""}`),
        ...footer,
      ].join("\n");
    });
  });
}

/** Why the work a run waits on may not move: no worker is up, or none has its activity. */
function workerHints(pending: PendingItem[], workers: WorkerSummary[]): string[] {
  const needsWorker = pending.filter((p) => p.kind === "activity" || p.kind === "timer");
  if (pending.length > 0 && needsWorker.length === 0) return []; // waiting for a person or a signal
  if (workers.length === 0) return ["no worker is running: start one with `weft worker --activities MODULE` (or `npm start`)"];
  const loaded = new Set(workers.flatMap((w) => w.activities));
  return needsWorker
    .filter((p) => p.activity !== undefined && !loaded.has(p.activity))
    .map((p) => `no running worker has the activity ${p.activity} loaded: start one with --activities for its plugin`);
}

export async function approvalsCommand(options: Output & { assignee?: string }): Promise<void> {
  await withEngine(async (engine) => {
    const approvals = await engine.approvals({ assignee: options.assignee });
    print(approvals, options, () =>
      approvals.length === 0
        ? "no approval is waiting for a decision"
        : approvals
            .map((a) => `${a.workflowId}  ${a.nodeId}  ${typeof a.title === "string" ? a.title : JSON.stringify(a.title ?? "")}  for ${a.assignees.join(", ") || "anyone"}  since ${a.since}${a.dueAt ? `, due ${a.dueAt}` : ""}${typeof a.message === "string" ? `\n  ${a.message}` : ""}`)
            .join("\n"),
    );
  });
}

export async function workersCommand(options: Output): Promise<void> {
  await withEngine(async (engine) => {
    const workers = await engine.workers();
    print(workers, options, () =>
      workers.length === 0
        ? "no worker is running"
        : workers
            .map((w) => `${w.id}  pid ${w.pid} on ${w.host}, since ${w.startedAt}, concurrency ${w.concurrency}, last heard ${w.heartbeatAt}\n  activities: ${w.activities.join(", ") || "none"}`)
            .join("\n"),
    );
  });
}

export async function historyCommand(workflowId: string, options: Output & { follow?: boolean }): Promise<void> {
  if (options.follow) return followHistory(workflowId, options);
  await withEngine(async (engine) => {
    const events = await engine.history(workflowId);
    print(events.map(eventJson), options, () => events.map(eventLine).join("\n"));
  });
}

/**
 * `weft history ID --follow`: the events there are, then each new one as it is appended, until
 * the run ends (following continue-as-new) or Ctrl-C; with --json, one JSON object per line.
 */
async function followHistory(workflowId: string, options: Output): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await withEngine(async (engine) => {
      let current: string | undefined;
      for await (const { runId, event } of engine.watch(workflowId, { signal: stop.signal })) {
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ ...eventJson(event), runId })}\n`);
          continue;
        }
        if (current !== undefined && runId !== current) process.stdout.write(`--- continued as new: run ${runId}\n`);
        current = runId;
        process.stdout.write(`${eventLine(event)}\n`);
      }
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export async function queryCommand(workflowId: string, query: string, options: Output): Promise<void> {
  await withEngine(async (engine) => {
    const r = await engine.query(workflowId, query);
    process.stdout.write(`${JSON.stringify(r, null, options.json ? 0 : 2)}\n`);
  });
}

export async function retryCommand(workflowId: string, options: Output): Promise<void> {
  await withEngine(async (engine) => {
    const r = await engine.retry(workflowId, commandUser());
    print(r, options, () => `retrying ${workflowId} from step ${r.nodeId}: run ${r.runId} carries on from run ${r.retriedFromRunId}`);
  });
}

/** Who runs the command, for the history's `by` fields: the login name, when the shell says. */
function commandUser(): string | undefined {
  return process.env.USER || undefined;
}

export async function closeCommand(kind: "cancel" | "terminate", workflowId: string, options: Output & { reason?: string }): Promise<void> {
  await withEngine(async (engine) => {
    const close = { reason: options.reason, by: commandUser() };
    if (kind === "cancel") await engine.cancel(workflowId, close);
    else await engine.terminate(workflowId, close);
    print({ workflowId, status: kind === "cancel" ? "cancelled" : "terminated" }, options, () => `${kind === "cancel" ? "cancelled" : "terminated"} ${workflowId}`);
  });
}

export async function workerCommand(options: { activities?: string[]; concurrency?: string }): Promise<void> {
  const { Engine } = await import("../engine.ts");
  const { Worker } = await import("../worker/worker.ts");
  const { loadPlugins } = await import("../plugins.ts");
  let plugins;
  try {
    plugins = await loadPlugins(options.activities ?? []);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) throw new UserError("--concurrency takes a positive whole number");
  const engine = await Engine.open();
  const worker = new Worker(engine, plugins, { concurrency });
  try {
    await worker.start();
  } catch (err) {
    // Keys that may not write here (codec-keys.ts): the worker refuses to start, in one line.
    await worker.stop().catch(() => {});
    await engine.close();
    const { EngineError } = await import("../errors.ts");
    if (err instanceof EngineError) throw new UserError(err.message, err.code);
    throw err;
  }
  process.stderr.write(`weft worker ${worker.id}: ${plugins.size} activities (${[...plugins.keys()].join(", ") || "none"}), database ${engine.db.kind}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`weft worker: ${signal}: finishing in-flight work\n`);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      void worker.stop().then(resolve);
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
  await engine.close();
}
