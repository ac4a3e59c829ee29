// The engine's API: what the `weft` command and the app call. It writes runs, signals and
// decisions durably (a start or a signal is committed before the call returns) and leaves
// running workflow code to the workers.

import { randomUUID } from "node:crypto";
import { newRunId } from "./run-ids.ts";
import type { ValidateFunction } from "ajv";
import { showingUndecryptable, type PayloadCodec } from "./codec.ts";
import { claimCodec, CodecMismatch } from "./codec-keys.ts";
import { EngineError, isTransientDatabaseError, isUniqueViolation } from "./errors.ts";
import { appendEvents, insertEvents, loadHistories, loadHistory, SeqConflict } from "./history-store.ts";
import { Notifier } from "./notifier.ts";
import { closeRun, continueChain, findRun, heldRunsOf, insertRun, openRunsOf, type RunRow } from "./run-store.ts";
import { continuedRunsHidden, describeRun, runCounts, listRunSummaries, listWorkers, pendingApprovals, runsPage, waitingPerNode, type ApprovalRequests, type StepActivities, type Description, type PendingApproval, type RunsQuery, type RunSummary, type WorkerSummary } from "./run-views.ts";
import type { RunsPage, RunStatus, WaitingNode } from "./views.ts";
import { getDraft } from "./draft-store.ts";
import { isClosing, isCommandEvent, isResolution, type CommandEvent, type HistoryEvent, type RecordedEvent } from "./runtime/events.ts";
import { decisionsOf, insertDecisionIfFirst, insertQuorumDecision, insertSignalIfRunning, moveSignals, votesOf, type Vote, type WaitingDecision } from "./signal-store.ts";
import { activityTask, deleteRunTasks, insertTasks } from "./task-store.ts";
import type { Database } from "./storage/types.ts";
import { GroupCommitter } from "./worker/committer.ts";
import type { RunInsert } from "./worker/write-set.ts";
import { adoptedVersion, adopterChain, adopterOf, compatibilityDeclarations, latestVersion, workflowWaits, type Waits } from "./version-store.ts";

export interface StartOptions {
  input?: unknown;
  workflowId?: string;
  /** Who starts it (a person's name), recorded as WorkflowStarted's startedBy. */
  by?: string;
}

/** A worker in this process that takes the runs started here directly (see Worker.adopt). */
export interface LocalWorker {
  readonly id: string;
  readonly leaseMs: number;
  readonly accepting: boolean;
  adopt(taskId: number, run: RunInsert, started: RecordedEvent): void;
}

/** A decision taken (Engine.decide): what the approvals API answers. */
export interface Decision {
  workflowId: string;
  runId: string;
  nodeId: string;
  approved: boolean;
  by: string;
  comment?: string;
  /** When it was stored (ISO 8601); the run takes it when a worker next turns to it. */
  at: string;
  /**
   * An approval that needs several approvers (`quorum` > 1): the approvals so far, this one
   * included. While there are fewer than `quorum`, the run still waits.
   */
  quorum?: number;
  approvals?: Vote[];
}

/** Who closes a run (a person's name) and why. */
export interface CloseOptions {
  by?: string;
  reason?: string;
}

function closeFields(options: CloseOptions | string): CloseOptions {
  const { by, reason } = typeof options === "string" ? { reason: options, by: undefined } : options;
  return { ...(reason === undefined ? {} : { reason }), ...(by === undefined ? {} : { by }) };
}

function alreadyDecided(workflowId: string, nodeId: string, by: string | undefined): EngineError {
  return new EngineError("CONFLICT", `the approval "${nodeId}" of workflow "${workflowId}" was already decided${by === undefined ? "" : ` by ${by}`}`);
}

interface VersionInfo {
  version: number;
  hash: string;
  inputSchema: unknown;
}

/** What replaying the open runs of a version on new code found (Engine.checkCompatible). */
export interface CompatibilityReport {
  /** The open runs that would move to the new code: of that version, and of versions already moved to it. */
  runs: number;
  /** Those whose history the new code does not replay, with the node where each parts from it. */
  breaking: { workflowId: string; runId: string; nodeId: string; message: string }[];
}

type OpenRun = Awaited<ReturnType<typeof openRunsOf>>[number];

/** A compiled module, as compile() gives it: its name and its TypeScript. */
export interface CompiledModule {
  name: string;
  code: string;
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
  /** The pending approval requests the inbox has read, decoded (see pendingApprovals). */
  private readonly approvalRequests: ApprovalRequests = new Map();
  /** The step activities of each version's document, read once (where-runs-wait names them). */
  private readonly stepActivities: StepActivities = new Map();
  private localWorker: LocalWorker | undefined;
  /**
   * The codec for what is only shown (describe, history, lists, the inbox): a payload this
   * process cannot read shows as `{ undecryptable: reason }` instead of failing the whole view.
   */
  readonly shown: PayloadCodec;
  /** Whether this process's keys may write here, checked at its first write (ensureWritable). */
  private writable: Promise<void> | undefined;

  constructor(
    readonly db: Database,
    readonly codec: PayloadCodec,
  ) {
    this.shown = showingUndecryptable(codec);
    this.notifier = new Notifier(db);
    this.committer = new GroupCommitter(db, codec, 500, 1);
    // One NOTIFY per commit (in the transaction, on PostgreSQL); this process's workers at once.
    this.committer.onNotify = () => this.notifier.wakeLocal();
    this.committer.onCommit = (runIds) => this.notifier.appended(runIds);
  }

  static async open(options: { url?: string; codec?: PayloadCodec; prisma?: boolean } = {}): Promise<Engine> {
    const { openDatabase } = await import("./storage/database.ts");
    const { codecFromEnv } = await import("./codec.ts");
    let codec: PayloadCodec;
    try {
      codec = options.codec ?? codecFromEnv();
    } catch (err) {
      throw new EngineError("BAD_REQUEST", (err as Error).message);
    }
    const db = await openDatabase({ url: options.url, prisma: options.prisma ?? false });
    return new Engine(db, codec);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * Refuses (UNAVAILABLE, with the reason in one line) when this process's payload keys may not
   * write to this database: it has no key and the database's payloads are encrypted, another
   * key, or lacks an older key whose payloads are still stored (codec-keys.ts). The first call
   * records what the database did not record yet, or starts a key rotation; later calls cost
   * nothing. Every write of payloads calls it, and a worker before it starts.
   */
  async ensureWritable(): Promise<void> {
    this.writable ??= claimCodec(this.db, this.codec).then(
      () => undefined,
      (err) => {
        if (err instanceof CodecMismatch) throw new EngineError("UNAVAILABLE", `this process may not write payloads here: ${err.message}`);
        this.writable = undefined; // a database error: the next write asks again
        throw err;
      },
    );
    return this.writable;
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

  /**
   * Compiles a document and stores it as the newest version of its name; `by`: who deploys it.
   * With `compatibleWith` N, the open runs of version N (and of versions already moved to N)
   * move to the new code, which is first checked to replay every one of their histories
   * (checkCompatible): any that would break refuses the deploy (CONFLICT, naming each run and
   * the node where it breaks), unless `force`, when those runs are held where they are instead
   * (`breaking` lists them). Held runs of those versions are woken to try the new code.
   */
  async deploy(
    document: unknown,
    options: { compatibleWith?: number; by?: string; force?: boolean } = {},
  ): Promise<{ name: string; version: number; hash: string; created: boolean; moved?: number; breaking?: CompatibilityReport["breaking"] }> {
    // Loaded on demand: the compiler (and TypeScript) are only needed here.
    const { deploy, DeployError, documentErrors } = await import("./deploy.ts");
    let report: CompatibilityReport | undefined;
    if (options.compatibleWith !== undefined) {
      report = await this.checkCompatible(document, options.compatibleWith);
      if (report.breaking.length > 0 && !options.force) throw incompatible(report, options.compatibleWith);
    }
    try {
      const deployed = await deploy(this.db, document, { compatibleWith: options.compatibleWith, deployedBy: options.by });
      this.versions.delete(deployed.name);
      if (deployed.created && options.compatibleWith !== undefined) await this.wakeHeld(deployed.name, deployed.version);
      return { ...deployed, ...(report && deployed.created ? { moved: report.runs, breaking: report.breaking } : {}) };
    } catch (err) {
      if (err instanceof DeployError) {
        throw new EngineError(err.reason === "conflict" ? "CONFLICT" : "INVALID", err.message, documentErrors(err.diagnostics), err.diagnostics.length > 0);
      }
      throw err;
    }
  }

  /**
   * Whether new code may be declared compatible with version `withVersion` of its workflow: it
   * replays the history of every open run that would move to it (those of that version, and
   * of versions already moved to it) on the new code, as `query` replays, writing nothing, and
   * lists those whose history it does not replay (a non-determinism error), with the node where
   * each parts from it. `source`: a workflow document, or a module as compile() gives it
   * ({ name, code }). The designer calls it before a deploy; `deploy --compatible-with` too.
   */
  async checkCompatible(source: unknown, withVersion: number): Promise<CompatibilityReport> {
    if (!(Number.isSafeInteger(withVersion) && withVersion >= 1)) throw new EngineError("BAD_REQUEST", `a version is a whole number from 1, not ${JSON.stringify(withVersion)}`);
    const { name, code } = await this.checkedModule(source);
    const { getVersion } = await import("./deploy.ts");
    if ((await getVersion(this.db, name, withVersion)) === undefined) {
      const latest = await latestVersion(this.db, name);
      throw new EngineError("NOT_FOUND", `${name} has no version ${withVersion}${latest ? `: its versions are 1 to ${latest.version}` : ": it is not deployed"}`);
    }
    // The runs whose chain of declarations passes through `withVersion`: the new version's
    // declaration takes all of them over (it is the newest adopter of `withVersion`).
    const declarations = await compatibilityDeclarations(this.db, name);
    const runs = (await openRunsOf(this.db, name)).filter((r) => adopterChain(declarations, r.version).includes(withVersion));
    return { runs: runs.length, breaking: await this.replayOn(name, code, runs) };
  }

  /**
   * checkCompatible for every version that has open runs at once, the new code compiled once:
   * the open runs grouped by the version whose code they are on now (their own, or the one
   * they were moved to), each group replayed on the new code. Newest version first; a version
   * with no open run is not listed. Writes nothing.
   */
  async checkOpenRuns(source: unknown): Promise<(CompatibilityReport & { version: number; waiting: { nodeId: string; runs: number }[] })[]> {
    const { name, code } = await this.checkedModule(source);
    const declarations = await compatibilityDeclarations(this.db, name);
    const groups = new Map<number, OpenRun[]>();
    for (const run of await openRunsOf(this.db, name)) {
      const on = adopterOf(declarations, run.version);
      groups.set(on, [...(groups.get(on) ?? []), run]);
    }
    const reports = [];
    for (const [version, runs] of [...groups].sort((a, b) => b[0] - a[0])) {
      const waiting = new Map<string, number>();
      for (const r of runs) if (r.waitNode) waiting.set(r.waitNode, (waiting.get(r.waitNode) ?? 0) + 1);
      reports.push({ version, runs: runs.length, breaking: await this.replayOn(name, code, runs), waiting: [...waiting].map(([nodeId, n]) => ({ nodeId, runs: n })) });
    }
    return reports;
  }

  /** New code to check runs on: a workflow document compiled (INVALID with its errors), or a module as compile() gives it; transpiled. */
  private async checkedModule(source: unknown): Promise<{ name: string; code: string }> {
    const { transpileModule, documentErrors } = await import("./deploy.ts");
    if (isCompiledModule(source)) return { name: source.name, code: transpileModule(source.code, `${source.name}.ts`) };
    const { compile } = await import("../compiler/compile.ts");
    const compiled = compile(typeof source === "string" ? parseDocument(source) : source, { target: "weft" });
    if (!compiled.ok) {
      const errors = documentErrors(compiled.diagnostics);
      throw new EngineError("INVALID", `the workflow document has ${errors.length} error${errors.length === 1 ? "" : "s"}: ${errors.map((e) => `${e.id} ${e.message}`).join("; ")}`, errors, true);
    }
    return { name: compiled.name, code: transpileModule(compiled.code, `${compiled.name}.ts`) };
  }

  /** Replays each run's history on `code`, as `query` replays, writing nothing: those it does not replay, with the node where each parts from it. */
  private async replayOn(name: string, code: string, runs: readonly OpenRun[]): Promise<CompatibilityReport["breaking"]> {
    const { loadWorkflowModule } = await import("./sandbox.ts");
    const { WorkflowExecution } = await import("./runtime/execution.ts");
    const module = loadWorkflowModule(code, `${name}@check.js`);
    const breaking: CompatibilityReport["breaking"] = [];
    const drain = () => new Promise<void>((r) => setImmediate(r));
    for (let i = 0; i < runs.length; i += 200) {
      const chunk = runs.slice(i, i + 200);
      const histories = await loadHistories(this.db, this.codec, chunk.map((r) => r.runId));
      for (const run of chunk) {
        const events = histories.get(run.runId) ?? [];
        const started = events[0];
        if (started?.type !== "WorkflowStarted") continue;
        const exec = new WorkflowExecution(module.run, started, { drain, historyLimit: Number.MAX_SAFE_INTEGER });
        try {
          await exec.activate(events);
        } catch (err) {
          breaking.push({ workflowId: run.workflowId, runId: run.runId, nodeId: run.waitNode ?? "", message: (err as Error).message });
          continue;
        }
        const nd = exec.nonDeterminism;
        if (nd) breaking.push({ workflowId: run.workflowId, runId: run.runId, nodeId: nd.nodeId ?? run.waitNode ?? "", message: nd.message });
      }
    }
    return breaking;
  }

  /** Held runs that a new version `version` of `name` now takes over get a workflow task: they try its code. */
  private async wakeHeld(name: string, version: number): Promise<void> {
    const held = await heldRunsOf(this.db, name);
    if (held.length === 0) return;
    const declarations = await compatibilityDeclarations(this.db, name);
    const now = Date.now();
    const wake = held.filter((r) => adopterOf(declarations, r.version) === version).map((r) => ({ runId: r.runId, kind: "workflow" as const, dueAt: now }));
    if (wake.length === 0) return;
    await this.db.transaction((tx) => insertTasks(tx, wake));
    await this.notifier.notify();
  }

  // --------------------------------------------------------------------------------------------
  // Runs

  async start(name: string, options: StartOptions = {}): Promise<{ workflowId: string; runId: string }> {
    await this.ensureWritable();
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
      ...(options.by === undefined ? {} : { startedBy: options.by }),
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
      // Each error names a JSON Pointer into the input (the HTTP API's contract): a missing
      // field by the place it should be, "" for the input as a whole.
      const errors = (validate.errors ?? []).map((e) =>
        e.keyword === "required"
          ? { id: `${e.instancePath}/${pointerToken((e.params as { missingProperty: string }).missingProperty)}`, message: "is required" }
          : { id: e.instancePath, message: e.message ?? "is not valid" },
      );
      const shown = errors.map((e) => `${e.id === "" ? "the input" : `input${e.id}`} ${e.message}`).join("; ");
      throw new EngineError("INVALID", `the input does not match ${name}'s inputSchema: ${shown}`, errors);
    }
  }

  /**
   * Sends a signal to a running workflow: stored before this resolves, delivered in order to
   * the wait for it. The workflow must wait for that signal somewhere (in any of its versions),
   * since one nobody waits for would sit in the inbox for ever. `approve` and `decline` are the
   * approvals' signals, with the payload `{ nodeId, by, comment }`: they go through decide()
   * (with no check of who may decide: the app sends decisions through decide() itself).
   * `by`: who sends it, recorded as the SignalReceived event's `by` (for a decision, it stands
   * for the payload's).
   */
  async signal(workflowId: string, name: string, payload?: unknown, by?: string): Promise<{ workflowId: string; runId: string }> {
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name)) throw new EngineError("BAD_REQUEST", `"${name}" is not a signal name`);
    await this.ensureWritable();
    if (name === "approve" || name === "decline") {
      const p = (payload ?? {}) as { nodeId?: unknown; by?: unknown; comment?: unknown };
      if (typeof p !== "object" || Array.isArray(p)) throw new EngineError("BAD_REQUEST", `the payload of "${name}" is { nodeId, by, comment }, not ${JSON.stringify(payload)}`);
      for (const field of ["nodeId", "by", "comment"] as const) {
        if (p[field] !== undefined && typeof p[field] !== "string") throw new EngineError("BAD_REQUEST", `the payload's "${field}" of "${name}" must be a string`);
      }
      const { runId } = await this.decide(workflowId, name, { nodeId: p.nodeId as string | undefined, by: by ?? (p.by as string | undefined), comment: p.comment as string | undefined });
      return { workflowId, runId };
    }
    const run = await this.openRun(workflowId);
    await this.requireSignal(run.name, name);
    return this.deliver(run, name, payload, by);
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
    start: { workflow: string; input?: unknown; by?: string },
  ): Promise<{ workflowId: string; runId: string; started: boolean }> {
    await this.ensureWritable();
    for (let attempt = 0; ; attempt++) {
      const current = await findRun(this.db, this.codec, workflowId);
      if (current?.status === "running") return { ...(await this.signal(workflowId, name, payload, start.by)), started: false };
      // Checked before starting, so that a signal the workflow would never take starts nothing.
      await this.requireSignal(start.workflow, name);
      try {
        await this.start(start.workflow, { workflowId, input: start.input, by: start.by });
      } catch (err) {
        if (err instanceof EngineError && err.code === "CONFLICT" && attempt < 5) continue; // started meanwhile
        throw err;
      }
      return { ...(await this.signal(workflowId, name, payload, start.by)), started: true };
    }
  }

  /** Stores a signal for `run`, the workflow's open run as its caller read it (see insertSignalIfRunning). */
  private async deliver(run: RunRow, name: string, payload: unknown, by?: string): Promise<{ workflowId: string; runId: string }> {
    await this.ensureWritable();
    const { workflowId } = run;
    // The run may end, or continue as new, before the signal is written: then the write stores
    // nothing and the current run is looked up again (an ended one is refused).
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) run = await this.openRun(workflowId);
      const stored = await this.committer.submit<boolean>({
        kind: "custom",
        run: async (tx) => {
          const now = Date.now();
          const id = await insertSignalIfRunning(tx, this.db.kind, this.codec, { runId: run.runId, name, payload: payload ?? null, at: now, by });
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

  /**
   * An approver's decision: the `approve` or `decline` signal addressed to an approval node the
   * run waits at (its request recorded, or, for a run no worker has taken on since, the request
   * its code makes next). `mayDecide(assignees)`: may this caller decide it (the app passes
   * permissions.ts mayDecide); when it says no, nothing is written (FORBIDDEN). Only the first
   * decision for a request is taken: a second, even before the run took the first, is a
   * CONFLICT naming who decided (insertDecisionIfFirst keeps that true of two at once).
   */
  async decide(
    workflowId: string,
    decision: "approve" | "decline",
    options: { nodeId?: string; by?: string; comment?: string; mayDecide?: (assignees: string[]) => boolean } = {},
  ): Promise<Decision> {
    if (decision !== "approve" && decision !== "decline") throw new EngineError("BAD_REQUEST", `a decision is "approve" or "decline", not "${String(decision)}"`);
    const by = options.by ?? "unknown";
    await this.ensureWritable();
    for (let attempt = 0; ; attempt++) {
      const run = await this.findRun(workflowId);
      if (options.nodeId !== undefined) {
        // A decision for a node that is no approval would wait in the inbox for ever.
        const approvals = await this.waitsFor(run.name, "approvals", options.nodeId);
        if (!approvals.found) {
          const known = approvals.known.length === 0 ? "it has no approval node" : `its approval nodes are ${approvals.known.map((a) => `"${a}"`).join(", ")}`;
          throw new EngineError("NOT_FOUND", `${run.name} has no approval node "${options.nodeId}": ${known}`);
        }
      }
      const request = await this.approvalRequest(run, options.nodeId);
      const nodeId = request.nodeId;
      const assignees = request.assignees;
      if (options.mayDecide && !options.mayDecide(assignees)) {
        const who = assignees.length === 0 ? "operators" : assignees.join(", ");
        throw new EngineError("FORBIDDEN", `the approval "${nodeId}" of workflow "${workflowId}" is for ${who}: you are not one of them`);
      }
      if (request.notStarter && request.startedBy !== undefined && request.startedBy === by) {
        throw new EngineError("FORBIDDEN", `the approval "${nodeId}" of workflow "${workflowId}" may not be decided by the person who started the run (${by}): someone else must decide it`);
      }
      const at = Date.now();
      const payload = { nodeId, by, ...(options.comment === undefined ? {} : { comment: options.comment }) };
      if (request.quorum > 1) {
        const outcome = await this.committer.submit<Awaited<ReturnType<typeof insertQuorumDecision>>>({
          kind: "custom",
          run: async (tx) => {
            const stored = await insertQuorumDecision(tx, this.db.kind, this.codec, {
              runId: run.runId, name: decision, nodeId, requestSeq: request.seq, predicted: request.predicted, quorum: request.quorum, payload, at, by,
            });
            // Only a decision wakes the run: a vote short of the quorum changes nothing it waits for.
            if (stored && "final" in stored && stored.final) await insertTasks(tx, [{ runId: run.runId, kind: "workflow", dueAt: at }]);
            return stored;
          },
          notify: true,
        });
        if (outcome && "id" in outcome) {
          return {
            workflowId, runId: run.runId, nodeId, approved: decision === "approve", by,
            ...(options.comment === undefined ? {} : { comment: options.comment }),
            at: new Date(at).toISOString(), quorum: request.quorum, approvals: outcome.approvals,
          };
        }
        if (outcome && "voted" in outcome) {
          throw new EngineError("CONFLICT", `you approved "${nodeId}" of workflow "${workflowId}" already (${outcome.voted.at}): it needs ${request.quorum} different approvers`);
        }
        if (outcome) throw alreadyDecided(workflowId, nodeId, outcome.existing.sentBy ?? (outcome.existing.payload as { by?: string } | null)?.by);
        if (attempt >= 20) throw new EngineError("CONFLICT", `workflow "${workflowId}" kept moving to new runs while a decision was sent to it: send it again`);
        continue;
      }
      const outcome = await this.committer.submit<Awaited<ReturnType<typeof insertDecisionIfFirst>>>({
        kind: "custom",
        run: async (tx) => {
          const stored = await insertDecisionIfFirst(tx, this.db.kind, this.codec, { runId: run.runId, name: decision, nodeId, requestSeq: request.seq, payload, at, by });
          if (stored && "id" in stored) await insertTasks(tx, [{ runId: run.runId, kind: "workflow", dueAt: at }]);
          return stored;
        },
        notify: true,
      });
      if (outcome && "id" in outcome) {
        return { workflowId, runId: run.runId, nodeId, approved: decision === "approve", by, ...(options.comment === undefined ? {} : { comment: options.comment }), at: new Date(at).toISOString() };
      }
      if (outcome) throw alreadyDecided(workflowId, nodeId, outcome.existing.sentBy ?? (outcome.existing.payload as { by?: string } | null)?.by);
      // The run ended or continued as new since it was read: look again.
      if (attempt >= 20) throw new EngineError("CONFLICT", `workflow "${workflowId}" kept moving to new runs while a decision was sent to it: send it again`);
    }
  }

  /**
   * The approval request of `run` a decision answers: at `nodeId` (else the one it waits for),
   * recorded and not yet resolved. Not found: NOT_FOUND; already decided: CONFLICT; the run
   * ended: NOT_RUNNING. A run whose history shows it waiting for nothing (just started, or
   * between two steps: no worker has taken it on since) is replayed, as `query` does, and its
   * code's next request counts: a decision sent right after a start is not refused.
   */
  private async approvalRequest(
    run: RunRow,
    nodeId: string | undefined,
  ): Promise<{ nodeId: string; seq: number; assignees: string[]; quorum: number; notStarter: boolean; startedBy?: string; predicted: boolean }> {
    const events = await loadHistory(this.db, this.codec, run.runId);
    let request: Extract<RecordedEvent, { type: "ApprovalRequested" }> | undefined;
    let resolution: RecordedEvent | undefined;
    /** Commands not resolved yet: what the history shows the run waiting on. */
    const open = new Set<number>();
    for (const e of events) {
      if (e.type === "ApprovalRequested" && (nodeId === undefined || e.nodeId === nodeId)) [request, resolution] = [e, undefined];
      else if ((e.type === "SignalReceived" || e.type === "WaitTimedOut") && request && e.cmd === request.cmd) resolution = e;
      if (isCommandEvent(e)) open.add(e.cmd);
      else if (isResolution(e)) open.delete(e.cmd);
    }
    // Without a node, only the request the run waits at now counts.
    if (nodeId === undefined && resolution !== undefined) [request, resolution] = [undefined, undefined];
    const where = nodeId === undefined ? "an approval" : `a decision at "${nodeId}"`;
    if (request && resolution?.type === "SignalReceived") {
      throw alreadyDecided(run.workflowId, request.nodeId, resolution.by ?? (resolution.payload as { by?: string } | null)?.by);
    }
    if (run.status !== "running") {
      throw new EngineError("NOT_RUNNING", `workflow "${run.workflowId}" has ended (${run.status === "continued" ? "running" : run.status})`);
    }
    // Who started the run: a retried or continued run's WorkflowStarted keeps the first's.
    const startedBy = events[0]?.type === "WorkflowStarted" ? events[0].startedBy : undefined;
    const rules = (r: Extract<HistoryEvent, { type: "ApprovalRequested" }>) => ({ quorum: r.quorum ?? 1, notStarter: r.notStarter === true, ...(startedBy === undefined ? {} : { startedBy }) });
    if (request && resolution === undefined) return { nodeId: request.nodeId, seq: request.seq, assignees: request.assignees ?? [], ...rules(request), predicted: false };
    if (open.size === 0) {
      // Nothing recorded to wait for: where the code goes next.
      const next = await this.codeWaitsOn(run, events);
      if (next?.type === "ApprovalRequested" && (nodeId === undefined || next.nodeId === nodeId)) {
        return { nodeId: next.nodeId, seq: run.nextSeq - 1, assignees: next.assignees ?? [], ...rules(next), predicted: true };
      }
    }
    const timedOut = request && resolution?.type === "WaitTimedOut" ? `: its approval at "${request.nodeId}" timed out` : "";
    throw new EngineError("NOT_FOUND", `workflow "${run.workflowId}" is not waiting for ${where}${timedOut}`);
  }

  /** What the run's code waits on after `events` (a replay that writes nothing), if anything. */
  private async codeWaitsOn(run: RunRow, events: RecordedEvent[]): Promise<CommandEvent | undefined> {
    const { ModuleCache } = await import("./worker/modules.ts");
    const { WorkflowExecution } = await import("./runtime/execution.ts");
    const module = await new ModuleCache(this.db).forRun(run.runId, run.name, run.version, run.hash);
    const started = events[0];
    if (started?.type !== "WorkflowStarted") return undefined;
    const exec = new WorkflowExecution(module.run, started, { drain: () => new Promise((r) => setImmediate(r)), historyLimit: Number.MAX_SAFE_INTEGER });
    try {
      await exec.activate(events);
    } catch {
      return undefined; // a run its code cannot replay waits for nothing a decision could answer
    }
    return exec.closed ? undefined : exec.waitingOn;
  }

  /**
   * Retries a run that failed at a step (its attempts spent, or an error its policy does not
   * retry): a new run of the same workflow id takes over the failed run's history up to where
   * that step was scheduled, so nothing that completed runs again, and the step starts over at
   * attempt 1, with the input it had. It runs on the failed run's version, or on one declared
   * compatible with it: fix what failed (the system it called, or the code, deployed with
   * `--compatible-with`), then retry. Unconsumed signals move to the new run. `by`: who retries,
   * recorded as the new run's WorkflowStarted `retriedBy`.
   */
  async retry(workflowId: string, by?: string): Promise<{ workflowId: string; runId: string; retriedFromRunId: string; nodeId: string }> {
    await this.ensureWritable();
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
    const { retriedBy: _earlier, ...start } = first;
    const history: RecordedEvent[] = [{ ...start, runId, retriedFromRunId: old.runId, ...(by === undefined ? {} : { retriedBy: by }) }, ...events.slice(1, cut + 1)];
    // It waits at the step from now (the worker, replaying it, says the same: worker.ts waitInHistory).
    const wait = { nodeId: scheduled.nodeId, kind: "activity" as const, since: now, retrying: false, seq: scheduled.seq };
    try {
      await this.db.transaction(async (tx) => {
        await insertRun(tx, this.codec, { runId, workflowId, name: old.name, version: old.version, hash: old.hash, input: old.input, startedAt: now, firstRunId: old.firstRunId, continuedFromRunId: null, wait }, history.length + 1);
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

  /** Cancels a running workflow; `by` (who) and `reason` are recorded on WorkflowCancelled. A string is the reason. */
  async cancel(workflowId: string, options: CloseOptions | string = {}): Promise<void> {
    await this.closeRun(workflowId, { type: "WorkflowCancelled", ...closeFields(options) }, "cancelled");
  }

  /** Terminates a running workflow; `by` and `reason` are recorded on WorkflowTerminated. A string is the reason. */
  async terminate(workflowId: string, options: CloseOptions | string = {}): Promise<void> {
    await this.closeRun(workflowId, { type: "WorkflowTerminated", ...closeFields(options) }, "terminated");
  }

  private async closeRun(workflowId: string, closing: Extract<HistoryEvent, { type: "WorkflowCancelled" | "WorkflowTerminated" }>, status: "cancelled" | "terminated"): Promise<void> {
    await this.ensureWritable();
    // Retried on a race with a worker advancing the run (the append is guarded by next_seq), and
    // when PostgreSQL breaks a deadlock with it: a worker's commit locks its task before the run
    // row, this one the run row before the run's tasks, and the loser is rolled back whole.
    for (let attempt = 0; ; attempt++) {
      const run = await this.openRun(workflowId);
      // The version it is on when it ends, when another than its own took it over (as describe says).
      const on = run.held?.version ?? (await adoptedVersion(this.db, run.name, run.version));
      const event = on === run.version ? closing : { ...closing, version: on };
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
        if (!(err instanceof SeqConflict || isTransientDatabaseError(err)) || attempt > 20) throw err;
        if (!(err instanceof SeqConflict)) await new Promise((r) => setTimeout(r, 2 + Math.random() * 10 * (attempt + 1)));
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

  /** A run's history as shown: a payload this process cannot read is `{ undecryptable: reason }` (see `shown`). */
  async history(workflowId: string): Promise<RecordedEvent[]> {
    const run = await this.findShown(workflowId);
    return loadHistory(this.db, this.shown, run.runId);
  }

  /** A run as shown (its payloads through `shown`): for views, never for writes. */
  private async findShown(workflowId: string): Promise<RunRow> {
    const run = await findRun(this.db, this.shown, workflowId);
    if (!run) throw new EngineError("NOT_FOUND", `no workflow with id "${workflowId}"`);
    return run;
  }

  /**
   * The history of a workflow's current run as it grows: the events there are, then each new
   * one as it is appended, across continue-as-new into the next run, until the run ends (or
   * `signal` aborts). Woken by commits where the database tells (see Notifier), and by a poll.
   *
   * Each event comes with an `id` that stays the same however often it is watched: its seq plus
   * the events of the earlier runs of its continue-as-new chain (the runs before it, followed
   * back by continued_from_run_id), so ids go on rising across runs and a client that saw up to
   * `afterId` (an SSE Last-Event-ID) gets exactly the events after it, in order, from whichever
   * run of the chain they are in. A retried run starts a chain of its own.
   *
   * An approval toward a quorum that does not complete it appends no event: `onVotes` is told
   * of each new one (with the run's votes so far), looked for when a commit wakes the watch
   * and no event came, so that a follower can show "1 of 2 approvals" as it happens; and, once
   * the events there were are given, of the votes there are, if any (those cast before the
   * watch began count as new to it).
   *
   * A decision is accepted (acknowledged to its decider) before the run takes it, which needs
   * a worker: `onDecisions` is told of each accepted and not yet taken, found as votes are, so
   * that a follower can say "decided by fin2" at once; the run's events follow when it goes on.
   */
  async *watch(
    workflowId: string,
    options: {
      afterId?: number;
      signal?: AbortSignal;
      pollMs?: number;
      onVotes?: (votes: { nodeId: string; vote: Vote }[]) => void;
      onDecisions?: (decisions: WaitingDecision[]) => void;
    } = {},
  ): AsyncGenerator<{ id: number; runId: string; event: RecordedEvent }> {
    const { afterId } = options;
    if (afterId !== undefined && !(Number.isSafeInteger(afterId) && afterId >= 0)) throw new EngineError("BAD_REQUEST", `an event id is a whole number from 0, not ${afterId}`);
    const current = await this.findShown(workflowId);
    // The chain, first run first, with the number of events before each.
    const chain = await continueChain(this.db, workflowId, current.runId);
    let at = chain.length - 1;
    if (afterId !== undefined) while (at > 0 && chain[at]!.offset > afterId) at--;
    let { runId, offset } = chain[at]!;
    let afterSeq = afterId === undefined ? 0 : afterId - offset;
    let woken = false;
    let wake: (() => void) | undefined;
    const woke = () => {
      woken = true;
      wake?.();
    };
    const unlisten = await this.notifier.listen(woke);
    // Only commits of this run wake it: a busy worker commits many runs' steps a second.
    const unfollow = this.notifier.onAppend((runIds) => {
      if (runIds.includes(runId)) woke();
    });
    const onAbort = () => wake?.();
    options.signal?.addEventListener("abort", onAbort);
    try {
      // A client that has seen a run's last event: on into the next run of the chain, or done.
      while (at < chain.length - 1 && afterSeq >= chain[at]!.events) {
        afterSeq -= chain[at]!.events;
        ({ runId, offset } = chain[++at]!);
      }
      if (at === chain.length - 1 && current.status !== "running" && current.status !== "continued" && afterSeq >= current.nextSeq - 1) return;
      // The ids of the run's votes and waiting decisions last looked at (undefined: not yet). The
      // first look tells of those there are, if any: a follower that read the run before the
      // watch began (a run's page, then its stream) would otherwise miss one cast in between.
      let votesSeen: Set<number> | undefined;
      let decisionsSeen: Set<number> | undefined;
      let looked = false;
      while (!options.signal?.aborted) {
        const nudged = woken || !looked;
        woken = false;
        const events = await loadHistory(this.db, this.shown, runId, afterSeq);
        let next: string | undefined;
        for (const event of events) {
          yield { id: offset + event.seq, runId, event };
          afterSeq = event.seq;
          if (event.type === "ContinuedAsNew") next = event.newRunId;
          else if (isClosing(event)) return;
        }
        if (next !== undefined) {
          [runId, offset, afterSeq] = [next, offset + afterSeq, 0];
          votesSeen = undefined;
          decisionsSeen = undefined;
          looked = false;
          continue;
        }
        if (nudged && events.length === 0) {
          // Only a vote added counts: votes go when the decision that carries them is stored, and
          // the events of the run taking it follow.
          if (options.onVotes) {
            const votes = await votesOf(this.db, this.shown, [runId]);
            if (votes.some((v) => !votesSeen?.has(v.id))) options.onVotes(votes.map((v) => ({ nodeId: v.nodeId, vote: v.vote })));
            votesSeen = new Set(votes.map((v) => v.id));
          }
          if (options.onDecisions) {
            const decisions = await decisionsOf(this.db, this.shown, [runId]);
            const fresh = decisions.filter((d) => !decisionsSeen?.has(d.id));
            if (fresh.length > 0) options.onDecisions(fresh);
            decisionsSeen = new Set(decisions.map((d) => d.id));
          }
          looked = true;
        }
        // A commit announced while the history was read is looked at now, not at the next poll.
        if (woken) continue;
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
      unfollow();
      await unlisten();
    }
  }

  /**
   * The describe document. Payloads this process cannot read (no key, another key) show as
   * `{ undecryptable: reason }`, each where it is, instead of failing the whole document.
   */
  async describe(workflowId: string): Promise<Description> {
    return (await this.describeWithHistory(workflowId)).description;
  }

  /** The describe document and the history it was made from, read once (a run's page shows both). */
  async describeWithHistory(workflowId: string): Promise<{ description: Description; history: RecordedEvent[] }> {
    const run = await this.findShown(workflowId);
    const history = await loadHistory(this.db, this.shown, run.runId);
    return { description: await describeRun(this.db, run, history, this.shown), history };
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

  /**
   * Approvals waiting for a decision, oldest first: those naming `assignee`, if given, and
   * those `filter(assignees)` says yes to, if given (the app passes who may decide). One whose
   * decision was accepted but not yet taken by its run waits for none: left out, or with
   * `decided` listed with its `decision`.
   */
  async approvals(filter: { assignee?: string; limit?: number; filter?: (assignees: string[]) => boolean; decided?: boolean } = {}): Promise<PendingApproval[]> {
    return pendingApprovals(this.db, this.shown, filter, this.approvalRequests);
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
    return listRunSummaries(this.db, this.shown, filter);
  }

  /**
   * How many runs `list` leaves out with this filter because they continued as new (each is
   * shown by the run that carries on), so that a list can say so.
   */
  async continuedHidden(filter: { status?: string; name?: string } = {}): Promise<number> {
    return continuedRunsHidden(this.db, filter);
  }

  /**
   * A page of runs, newest first (the app's runs list): filtered by status, workflow name, the
   * node open runs wait at, and a workflow id prefix (`q`, taken literally); `cursor` is the
   * `next` of the previous page; `limit` 1 to 200, default 50. A run continued as new is shown
   * once, by the run that carries on. Each page is a walk of one index (see run-store.ts).
   */
  async runs(query: RunsQuery = {}): Promise<RunsPage> {
    return runsPage(this.db, this.db.kind, query);
  }

  /** Per status, how many runs the runs list with these filters (its status aside) shows. */
  async runCounts(query: Omit<RunsQuery, "cursor" | "limit" | "status"> = {}): Promise<Record<RunStatus, number>> {
    return runCounts(this.db, this.db.kind, query);
  }

  /** Where the open runs of workflow `name` (any version) wait, per node; NOT_FOUND for an unknown name. */
  async waiting(name: string): Promise<WaitingNode[]> {
    const waiting = await waitingPerNode(this.db, name, this.stepActivities);
    if (waiting.length === 0 && (await latestVersion(this.db, name)) === undefined && (await getDraft(this.db, name)) === undefined) {
      throw new EngineError("NOT_FOUND", `no workflow named "${name}"`);
    }
    return waiting;
  }
}

/** A property name as one token of a JSON Pointer (RFC 6901). */
function pointerToken(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function isCompiledModule(source: unknown): source is CompiledModule {
  const s = source as Partial<CompiledModule> & { nodes?: unknown };
  return typeof s === "object" && s !== null && typeof s.name === "string" && typeof s.code === "string" && s.nodes === undefined;
}

function parseDocument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EngineError("INVALID", `the workflow document is not JSON: ${(err as Error).message}`);
  }
}

/** The refusal of a compatibility declaration some open runs would not survive: each run and where it breaks. */
function incompatible(report: CompatibilityReport, version: number): EngineError {
  const { breaking } = report;
  const shown = breaking.slice(0, 5).map((b) => `${b.workflowId} at node "${b.nodeId}"`);
  if (breaking.length > 5) shown.push(`${breaking.length - 5} more`);
  const n = breaking.length;
  return new EngineError(
    "CONFLICT",
    `this document is not compatible with version ${version}: ${n} of the ${report.runs} open run${report.runs === 1 ? "" : "s"} it would take over ${n === 1 ? "does" : "do"} not replay on it (${shown.join(", ")}); nothing was deployed. ` +
      `Change only what comes after where they wait, or declare it anyway with --force: ${n === 1 ? "that run" : `those ${n} runs`} would be held where ${n === 1 ? "it is" : "they are"} until a version ${n === 1 ? "it replays" : "they replay"} on is deployed`,
    breaking.map((b) => ({ id: b.workflowId, message: `run ${b.runId} breaks at node "${b.nodeId}": ${b.message}` })),
  );
}
