// The engine's API: what the `weft` command and the app call. It writes runs, signals and
// decisions durably (a start or a signal is committed before the call returns) and leaves
// running workflow code to the workers.

import { randomUUID } from "node:crypto";
import { newRunId } from "./run-ids.ts";
import type { ValidateFunction } from "ajv";
import type { PayloadCodec } from "./codec.ts";
import { EngineError, isUniqueViolation } from "./errors.ts";
import { appendEvents, insertEvents, loadHistory, SeqConflict } from "./history-store.ts";
import { Notifier } from "./notifier.ts";
import { closeRun, findRun, insertRun, type RunRow } from "./run-store.ts";
import { describeRun, listRunSummaries, listWorkers, pendingApprovals, pendingOf, type Description, type PendingApproval, type RunSummary, type WorkerSummary } from "./run-views.ts";
import { isClosing, type HistoryEvent, type RecordedEvent } from "./runtime/events.ts";
import { insertSignalIfRunning, moveSignals } from "./signal-store.ts";
import { activityTask, deleteRunTasks, insertTasks } from "./task-store.ts";
import type { Database } from "./storage/types.ts";
import { GroupCommitter } from "./worker/committer.ts";
import type { RunInsert } from "./worker/write-set.ts";
import { latestVersion, workflowWaits, type Waits } from "./version-store.ts";

export interface StartOptions {
  input?: unknown;
  workflowId?: string;
}

/** A worker in this process that takes the runs started here directly (see Worker.adopt). */
export interface LocalWorker {
  readonly id: string;
  readonly leaseMs: number;
  readonly accepting: boolean;
  adopt(taskId: number, run: RunInsert, started: RecordedEvent): void;
}

interface VersionInfo {
  version: number;
  hash: string;
  inputSchema: unknown;
}

export class Engine {
  readonly notifier: Notifier;
  /**
   * Starts and signals made at the same time in this process share one commit. One transaction
   * at a time, so that signals commit (and are delivered) in the order they were sent.
   */
  private readonly committer: GroupCommitter;
  private readonly versions = new Map<string, VersionInfo>();
  private readonly waits = new Map<string, Waits>();
  private readonly inputValidators = new Map<string, ValidateFunction>();
  private localWorker: LocalWorker | undefined;

  constructor(
    readonly db: Database,
    readonly codec: PayloadCodec,
  ) {
    this.notifier = new Notifier(db);
    this.committer = new GroupCommitter(db, codec, 500, 1);
    // One NOTIFY per commit (in the transaction, on PostgreSQL); this process's workers at once.
    this.committer.onNotify = () => this.notifier.wakeLocal();
  }

  static async open(options: { url?: string; codec?: PayloadCodec; prisma?: boolean } = {}): Promise<Engine> {
    const { openDatabase } = await import("./storage/database.ts");
    const { codecFromEnv } = await import("./codec.ts");
    const codec = options.codec ?? codecFromEnv();
    const db = await openDatabase({ url: options.url, prisma: options.prisma ?? false });
    return new Engine(db, codec);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * A worker running in this process takes the runs started here at once: their workflow task
   * is created leased to it, and it starts them from the event it was given, without claiming
   * the task or reading back what was just written. Other workers still see the task (and take
   * it over should this worker die before finishing it).
   */
  attachWorker(worker: LocalWorker): void {
    this.localWorker = worker;
  }

  detachWorker(worker: LocalWorker): void {
    if (this.localWorker === worker) this.localWorker = undefined;
  }

  /** Compiles a document and stores it as the newest version of its name; `by`: who deploys it. */
  async deploy(document: unknown, options: { compatibleWith?: number; by?: string } = {}): Promise<{ name: string; version: number; hash: string; created: boolean }> {
    // Loaded on demand: the compiler (and TypeScript) are only needed here.
    const { deploy, DeployError, documentErrors } = await import("./deploy.ts");
    try {
      const deployed = await deploy(this.db, document, { compatibleWith: options.compatibleWith, deployedBy: options.by });
      this.versions.delete(deployed.name);
      return deployed;
    } catch (err) {
      if (err instanceof DeployError) {
        throw new EngineError(err.reason === "conflict" ? "CONFLICT" : "INVALID", err.message, documentErrors(err.diagnostics), err.diagnostics.length > 0);
      }
      throw err;
    }
  }

  // --------------------------------------------------------------------------------------------
  // Runs

  async start(name: string, options: StartOptions = {}): Promise<{ workflowId: string; runId: string }> {
    const version = await this.latestVersion(name);
    const input = options.input ?? null;
    await this.checkInput(name, version, input);
    const workflowId = options.workflowId ?? `${name}-${randomUUID()}`;
    if (workflowId.trim() === "" || workflowId.length > 200) throw new EngineError("BAD_REQUEST", "a workflow id must have 1 to 200 characters");
    const runId = newRunId();
    const now = Date.now();
    const started: HistoryEvent = {
      type: "WorkflowStarted",
      workflowId,
      runId,
      name,
      version: version.version,
      hash: version.hash,
      input,
      firstStartedAt: now,
    };
    const local = this.localWorker?.accepting ? this.localWorker : undefined;
    const run: RunInsert = { runId, workflowId, name, version: version.version, hash: version.hash, input, startedAt: now, firstRunId: runId, continuedFromRunId: null };
    const first = { ...started, seq: 1, at: now } as RecordedEvent;
    try {
      const taskId = await this.committer.submit<number>({
        kind: "start",
        run,
        started: first,
        task: { runId, kind: "workflow", dueAt: now, ...(local ? { leaseOwner: local.id, leaseUntil: now + local.leaseMs } : {}) },
        // A task leased to a worker here needs no wake-up elsewhere.
        notify: !local,
      });
      if (local) local.adopt(taskId, run, first);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new EngineError("CONFLICT", `workflow id "${workflowId}" already has an open run: wait for it to end, or choose another id`);
      }
      throw err;
    }
    return { workflowId, runId };
  }

  /**
   * Whether some deployed version of the workflow waits for signal `name` (or has approval node
   * `name`): a run may resume on a newer version declared compatible with its own. What was
   * found once stays true (versions are never removed), so only a miss reads the versions again.
   */
  private async waitsFor(workflow: string, kind: "signals" | "approvals", name: string): Promise<{ found: boolean; known: string[] }> {
    const cached = this.waits.get(workflow);
    if (cached?.[kind].includes(name)) return { found: true, known: cached[kind] };
    // Stored per version at deploy, from the compiler (version-store.ts).
    const waits = await workflowWaits(this.db, workflow);
    this.waits.set(workflow, waits);
    return { found: waits[kind].includes(name), known: waits[kind] };
  }

  private async latestVersion(name: string): Promise<VersionInfo> {
    const latest = await latestVersion(this.db, name);
    if (latest === undefined) throw new EngineError("NOT_FOUND", `no workflow named "${name}" is deployed: deploy it first with \`weft deploy DOC.json\``);
    const { version } = latest;
    const cached = this.versions.get(name);
    if (cached && cached.version === version) return cached;
    const info = { version, hash: latest.hash, inputSchema: (latest.document() as { inputSchema?: unknown }).inputSchema };
    this.versions.set(name, info);
    return info;
  }

  private async checkInput(name: string, version: VersionInfo, input: unknown): Promise<void> {
    if (version.inputSchema === undefined) return;
    const key = `${name}@${version.version}`;
    let validate = this.inputValidators.get(key);
    if (validate === undefined) {
      // Loaded on demand: only documents with an inputSchema need a validator.
      const { default: Ajv } = await import("ajv");
      validate = new Ajv({ allErrors: true, strict: false }).compile(version.inputSchema as object);
      this.inputValidators.set(key, validate);
    }
    if (!validate(input)) {
      const errors = (validate.errors ?? []).map((e) => ({
        id: `input${e.instancePath.replace(/\//g, ".")}`,
        message: e.keyword === "required" ? `is missing "${(e.params as { missingProperty: string }).missingProperty}"` : (e.message ?? "is not valid"),
      }));
      throw new EngineError("INVALID", `the input does not match ${name}'s inputSchema: ${errors.map((e) => `${e.id} ${e.message}`).join("; ")}`, errors);
    }
  }

  /**
   * Sends a signal to a running workflow: stored before this resolves, delivered in order to
   * the wait for it. The workflow must wait for that signal somewhere (in any of its versions),
   * since one nobody waits for would sit in the inbox for ever. `approve` and `decline` are the
   * approvals' signals, with the payload `{ nodeId, by, comment }`: they go through decide().
   */
  async signal(workflowId: string, name: string, payload?: unknown): Promise<{ workflowId: string; runId: string }> {
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name)) throw new EngineError("BAD_REQUEST", `"${name}" is not a signal name`);
    if (name === "approve" || name === "decline") {
      const p = (payload ?? {}) as { nodeId?: unknown; by?: unknown; comment?: unknown };
      if (typeof p !== "object" || Array.isArray(p)) throw new EngineError("BAD_REQUEST", `the payload of "${name}" is { nodeId, by, comment }, not ${JSON.stringify(payload)}`);
      for (const field of ["nodeId", "by", "comment"] as const) {
        if (p[field] !== undefined && typeof p[field] !== "string") throw new EngineError("BAD_REQUEST", `the payload's "${field}" of "${name}" must be a string`);
      }
      const { runId } = await this.decide(workflowId, name, { nodeId: p.nodeId as string | undefined, by: p.by as string | undefined, comment: p.comment as string | undefined });
      return { workflowId, runId };
    }
    const run = await this.openRun(workflowId);
    await this.requireSignal(run.name, name);
    return this.deliver(run, name, payload);
  }

  /** Refuses a signal no version of `workflow` waits for: nothing would ever take it. */
  private async requireSignal(workflow: string, name: string): Promise<void> {
    const waits = await this.waitsFor(workflow, "signals", name);
    if (waits.found) return;
    const known = waits.known.length === 0 ? "it waits for no signal" : `it waits for ${waits.known.map((s) => `"${s}"`).join(", ")}`;
    throw new EngineError("NOT_FOUND", `${workflow} has no signal node waiting for "${name}": ${known}`);
  }

  /**
   * Signal-with-start, for entity workflows: signals the open run of `workflowId`, or starts one
   * of `start.workflow` (with `start.input`) and signals it. Two commits, not one: should the
   * second fail, the caller gets an error and sends again, and finds the run open. Of two
   * callers starting at once, one start wins (open workflow ids are unique) and the other
   * signals its run.
   */
  async signalWithStart(
    workflowId: string,
    name: string,
    payload: unknown,
    start: { workflow: string; input?: unknown },
  ): Promise<{ workflowId: string; runId: string; started: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const current = await findRun(this.db, this.codec, workflowId);
      if (current?.status === "running") return { ...(await this.signal(workflowId, name, payload)), started: false };
      // Checked before starting, so that a signal the workflow would never take starts nothing.
      await this.requireSignal(start.workflow, name);
      try {
        await this.start(start.workflow, { workflowId, input: start.input });
      } catch (err) {
        if (err instanceof EngineError && err.code === "CONFLICT" && attempt < 5) continue; // started meanwhile
        throw err;
      }
      return { ...(await this.signal(workflowId, name, payload)), started: true };
    }
  }

  /** Stores a signal for `run`, the workflow's open run as its caller read it (see insertSignalIfRunning). */
  private async deliver(run: RunRow, name: string, payload: unknown, nodeId?: string): Promise<{ workflowId: string; runId: string }> {
    const { workflowId } = run;
    // The run may end, or continue as new, before the signal is written: then the write stores
    // nothing and the current run is looked up again (an ended one is refused).
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) run = await this.openRun(workflowId);
      const stored = await this.committer.submit<boolean>({
        kind: "custom",
        run: async (tx) => {
          const now = Date.now();
          const id = await insertSignalIfRunning(tx, this.db.kind, this.codec, { runId: run.runId, name, nodeId, payload: payload ?? null, at: now });
          if (id === undefined) return false;
          await insertTasks(tx, [{ runId: run.runId, kind: "workflow", dueAt: now }]);
          return true;
        },
        notify: true,
      });
      if (stored) return { workflowId, runId: run.runId };
      if (attempt >= 20) throw new EngineError("CONFLICT", `workflow "${workflowId}" kept moving to new runs while a signal was sent to it: send it again`);
    }
  }

  /** An approver's decision, as the `approve` or `decline` signal addressed to an approval node. */
  async decide(
    workflowId: string,
    decision: "approve" | "decline",
    options: { nodeId?: string; by?: string; comment?: string } = {},
  ): Promise<{ workflowId: string; runId: string; nodeId: string }> {
    const run = await this.openRun(workflowId);
    let nodeId = options.nodeId;
    if (nodeId === undefined) {
      const approvals = pendingOf(await loadHistory(this.db, this.codec, run.runId)).filter((p) => p.kind === "approval");
      if (approvals.length === 0) throw new EngineError("NOT_FOUND", `workflow "${workflowId}" is not waiting for an approval: name the approval node with --node`);
      nodeId = approvals[0].nodeId;
    } else {
      // A decision for a node that is no approval would wait in the inbox for ever.
      const approvals = await this.waitsFor(run.name, "approvals", nodeId);
      if (!approvals.found) {
        const known = approvals.known.length === 0 ? "it has no approval node" : `its approval nodes are ${approvals.known.map((a) => `"${a}"`).join(", ")}`;
        throw new EngineError("NOT_FOUND", `${run.name} has no approval node "${nodeId}": ${known}`);
      }
    }
    const payload = { nodeId, by: options.by ?? "unknown", ...(options.comment === undefined ? {} : { comment: options.comment }) };
    const sent = await this.deliver(run, decision, payload, nodeId);
    return { workflowId, runId: sent.runId, nodeId };
  }

  /**
   * Retries a run that failed at a step (its attempts spent, or an error its policy does not
   * retry): a new run of the same workflow id takes over the failed run's history up to where
   * that step was scheduled, so nothing that completed runs again, and the step starts over at
   * attempt 1, with the input it had. It runs on the failed run's version, or on one declared
   * compatible with it: fix what failed (the system it called, or the code, deployed with
   * `--compatible-with`), then retry. Unconsumed signals move to the new run.
   */
  async retry(workflowId: string): Promise<{ workflowId: string; runId: string; retriedFromRunId: string; nodeId: string }> {
    const old = await this.findRun(workflowId);
    if (old.status !== "failed") {
      throw new EngineError("CONFLICT", `workflow "${workflowId}" is ${old.status === "continued" ? "running" : old.status}: only a failed run can be retried`);
    }
    const events = await loadHistory(this.db, this.codec, old.runId);
    const [first, failedStep, end] = [events[0], events.at(-2), events.at(-1)];
    if (first?.type !== "WorkflowStarted" || end?.type !== "WorkflowFailed" || failedStep?.type !== "ActivityFailed" || failedStep.nextAttemptAt !== undefined) {
      const where = end?.type === "WorkflowFailed" && end.nodeId ? ` at its node "${end.nodeId}"` : "";
      const why = end?.type === "WorkflowFailed" ? ` (${end.error.type}: ${end.error.message})` : "";
      throw new EngineError("BAD_REQUEST", `workflow "${workflowId}" failed${where}${why}, not at a step whose attempts ran out: a retry would end the same way`);
    }
    const cut = events.findIndex((e) => e.type === "ActivityScheduled" && e.cmd === failedStep.cmd);
    const scheduled = events[cut] as Extract<RecordedEvent, { type: "ActivityScheduled" }>;
    const runId = newRunId();
    const now = Date.now();
    // The events keep their times: replay computes what the code did from them.
    const history: RecordedEvent[] = [{ ...first, runId, retriedFromRunId: old.runId }, ...events.slice(1, cut + 1)];
    try {
      await this.db.transaction(async (tx) => {
        await insertRun(tx, this.codec, { runId, workflowId, name: old.name, version: old.version, hash: old.hash, input: old.input, startedAt: now, firstRunId: old.firstRunId, continuedFromRunId: null }, history.length + 1);
        await insertEvents(tx, this.codec, runId, history);
        await insertTasks(tx, [activityTask(this.codec, runId, workflowId, scheduled, now)]);
        await moveSignals(tx, old.runId, runId);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new EngineError("CONFLICT", `workflow id "${workflowId}" already has an open run again: retry applies to its latest run, which failed`);
      throw err;
    }
    await this.notifier.notify();
    return { workflowId, runId, retriedFromRunId: old.runId, nodeId: scheduled.nodeId };
  }

  async cancel(workflowId: string, reason?: string): Promise<void> {
    await this.closeRun(workflowId, { type: "WorkflowCancelled", reason }, "cancelled");
  }

  async terminate(workflowId: string, reason?: string): Promise<void> {
    await this.closeRun(workflowId, { type: "WorkflowTerminated", reason }, "terminated");
  }

  private async closeRun(workflowId: string, event: HistoryEvent, status: "cancelled" | "terminated"): Promise<void> {
    // Retried on a race with a worker advancing the run: the append is guarded by next_seq.
    for (let attempt = 0; ; attempt++) {
      const run = await this.openRun(workflowId);
      try {
        await this.db.transaction(async (tx) => {
          const now = Date.now();
          await appendEvents(tx, this.codec, run.runId, run.nextSeq, [event], now);
          await closeRun(tx, this.codec, run.runId, status, now, {});
          await deleteRunTasks(tx, run.runId);
        });
        await this.notifier.notify();
        return;
      } catch (err) {
        if (!(err instanceof SeqConflict) || attempt > 20) throw err;
      }
    }
  }

  private async openRun(workflowId: string): Promise<RunRow> {
    const run = await findRun(this.db, this.codec, workflowId);
    if (!run) throw new EngineError("NOT_FOUND", `no workflow with id "${workflowId}"`);
    if (run.status !== "running") throw new EngineError("NOT_RUNNING", `workflow "${workflowId}" has ended (${run.status})`);
    return run;
  }

  // --------------------------------------------------------------------------------------------
  // Reading

  async findRun(workflowId: string): Promise<RunRow> {
    const run = await findRun(this.db, this.codec, workflowId);
    if (!run) throw new EngineError("NOT_FOUND", `no workflow with id "${workflowId}"`);
    return run;
  }

  async history(workflowId: string): Promise<RecordedEvent[]> {
    const run = await this.findRun(workflowId);
    return loadHistory(this.db, this.codec, run.runId);
  }

  /**
   * The history of a workflow's current run as it grows: the events there are, then each new
   * one as it is appended, across continue-as-new into the next run, until the run ends (or
   * `signal` aborts). Woken by commits where the database tells (see Notifier), and by a poll.
   */
  async *watch(workflowId: string, options: { signal?: AbortSignal; pollMs?: number } = {}): AsyncGenerator<{ runId: string; event: RecordedEvent }> {
    let runId = (await this.findRun(workflowId)).runId;
    let afterSeq = 0;
    let wake: (() => void) | undefined;
    const unlisten = await this.notifier.listen(() => wake?.());
    const onAbort = () => wake?.();
    options.signal?.addEventListener("abort", onAbort);
    try {
      while (!options.signal?.aborted) {
        const events = await loadHistory(this.db, this.codec, runId, afterSeq);
        let next: string | undefined;
        for (const event of events) {
          yield { runId, event };
          afterSeq = event.seq;
          if (event.type === "ContinuedAsNew") next = event.newRunId;
          else if (isClosing(event)) return;
        }
        if (next !== undefined) {
          [runId, afterSeq] = [next, 0];
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, options.pollMs ?? 250);
          function done() {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      await unlisten();
    }
  }

  async describe(workflowId: string): Promise<Description> {
    const run = await this.findRun(workflowId);
    return describeRun(this.db, run, await loadHistory(this.db, this.codec, run.runId));
  }

  /**
   * Answers a query from a replay of the run's history, writing nothing. `state` gives the node
   * the run is at and its variables so far.
   */
  async query(workflowId: string, query: string): Promise<unknown> {
    if (query !== "state") throw new EngineError("NOT_FOUND", `unknown query "${query}": the queries are: state`);
    const run = await this.findRun(workflowId);
    const events = await loadHistory(this.db, this.codec, run.runId);
    const { ModuleCache } = await import("./worker/modules.ts");
    const { WorkflowExecution } = await import("./runtime/execution.ts");
    const module = await new ModuleCache(this.db).forRun(run.runId, run.name, run.version, run.hash);
    const started = events[0];
    if (started?.type !== "WorkflowStarted") throw new Error(`run ${run.runId} has no WorkflowStarted event`);
    const exec = new WorkflowExecution(module.run, started, { drain: () => new Promise((r) => setImmediate(r)), historyLimit: Number.MAX_SAFE_INTEGER });
    await exec.activate(events);
    const last = [...events].reverse().find((e) => "nodeId" in e && e.nodeId);
    const status = run.status === "continued" ? "running" : run.status;
    return {
      status,
      node: exec.waitingOn?.nodeId ?? (last && "nodeId" in last ? last.nodeId : null),
      vars: exec.variables(),
    };
  }

  /** Approvals waiting for a decision, oldest first (those naming `assignee`, if given). */
  async approvals(filter: { assignee?: string; limit?: number } = {}): Promise<PendingApproval[]> {
    return pendingApprovals(this.db, this.codec, filter);
  }

  /** Workers heard from in the last seconds (see worker-store.ts), the longest-running first. */
  async workers(): Promise<WorkerSummary[]> {
    return listWorkers(this.db);
  }

  /**
   * Runs, newest first: those with a status (one of the describe document's), of a workflow
   * name, at most `limit` (default 100, at most 1,000). A run that continued as new is shown by
   * the run that carries on, not twice.
   */
  async list(filter: { status?: string; name?: string; limit?: number } = {}): Promise<RunSummary[]> {
    return listRunSummaries(this.db, this.codec, filter);
  }
}
