// The worker: claims due work with leases, runs workflow code (replaying history when a run is
// not in its cache) and activities, and records every decision before it takes effect.
//
// Everything that happens to a run goes through `advance`, one transition at a time per run:
// apply the trigger (an activity's result, a timer, a signal), let the code run as far as it
// can, and commit the resulting events, tasks and signal consumptions in one unit of a group
// commit. A unit whose run moved on elsewhere (SeqConflict) or whose task lease was lost is
// rolled back alone, and the run is reloaded from the database.

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { ActivityContext, ActivityDefinition } from "../activity.ts";
import type { PayloadCodec } from "../codec.ts";
import type { Engine } from "../engine.ts";
import { isTransientDatabaseError } from "../errors.ts";
import { appendEvents, eventRow, loadHistory, SeqConflict } from "../history-store.ts";
import { DEFAULT_ACTIVITY_TIMEOUT_MS, nextRetry } from "../retry.ts";
import { closeRun, getRun, insertRun, type RunRow } from "../run-store.ts";
import type { CommandEvent, ErrorInfo, HistoryEvent, RecordedEvent } from "../runtime/events.ts";
import { WorkflowExecution } from "../runtime/execution.ts";
import type { StepOptions } from "../runtime/workflow-api.ts";
import { setDeterminismSource } from "../sandbox.ts";
import { consumeSignal, moveSignals, nextSignal } from "../signal-store.ts";
import type { Database, SqlExecutor } from "../storage/types.ts";
import { claimTasks, completeTask, deleteRunTasks, extendLeases, insertTasks, nextDueAt, releaseTasks, rescheduleTask, type NewTask, type TaskRow } from "../task-store.ts";
import { parseDuration } from "../../compiler/durations.ts";
import { GroupCommitter } from "./committer.ts";
import { ModuleCache } from "./modules.ts";
import { CHANNEL } from "../notifier.ts";

export interface WorkerOptions {
  id?: string;
  /** Activities run at once. */
  concurrency?: number;
  /** How long a claimed task stays ours without a heartbeat. */
  leaseMs?: number;
  /** The fallback poll when no wake-up comes. */
  pollMs?: number;
  /** Runs kept in memory (replay is the fallback after eviction). */
  cacheSize?: number;
  /** History length past which a loop's back edge continues the run as new. */
  historyLimit?: number;
  /** On stop, how long in-flight activities may take to finish before they are released. */
  shutdownGraceMs?: number;
  log?: (line: string) => void;
}

interface CachedRun {
  run: RunRow;
  exec: WorkflowExecution;
  nextSeq: number;
  /** Events the code produced on replay that are not in the database yet. */
  unpersisted: HistoryEvent[];
}

interface ActivityTaskData {
  cmd: number;
  activity: string;
  input: unknown;
  options: StepOptions;
  workflowId: string;
}

type Trigger =
  | { kind: "wake"; taskId?: number }
  | { kind: "timer"; taskId: number; cmd: number }
  | {
      kind: "activity";
      taskId: number;
      cmd: number;
      nodeId: string;
      attempt: number;
      outcome: { ok: true; result: unknown } | { ok: false; error: ErrorInfo; retryAt?: number };
    };

class LeaseLost extends Error {}

const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Date and Math.random inside the sandbox answer for the run whose code runs next: its clock,
 * and a generator seeded by its run id and position in its history, so a replay draws the same
 * numbers. Runs whose code resumes in the same turn share the last one set; compiled modules
 * read neither, so only hand-written modules could notice.
 */
function pointSandboxAt(exec: WorkflowExecution): void {
  let seed = hashSeed(`${exec.runId}:${exec.lastSeq}`);
  setDeterminismSource({
    now: () => exec.now,
    random: () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  });
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class Worker {
  readonly id: string;
  private readonly db: Database;
  private readonly codec: PayloadCodec;
  private readonly committer: GroupCommitter;
  private readonly modules: ModuleCache;
  private readonly cache = new Map<string, CachedRun>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly held = new Set<number>();
  private readonly running = new Map<number, AbortController>();
  /**
   * Activity slots promised to tasks this worker claims as it schedules them, from the moment
   * it decides to run one until that transition commits (and the activity starts): transitions
   * that commit together decide before any of their activities runs, and must not all take the
   * same free slot.
   */
  private reservedSlots = 0;
  private readonly options: Required<Omit<WorkerOptions, "id" | "historyLimit">> & { historyLimit?: number };
  private stopping = false;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  /** Steps (activity results) recorded, for the benchmark. */
  readonly stats = { steps: 0, runsCompleted: 0 };

  constructor(
    private readonly engine: Engine,
    private readonly plugins: Map<string, ActivityDefinition>,
    options: WorkerOptions = {},
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.db = engine.db;
    this.codec = engine.codec;
    this.committer = new GroupCommitter(this.db);
    this.modules = new ModuleCache(this.db);
    this.options = {
      concurrency: options.concurrency ?? 100,
      leaseMs: options.leaseMs ?? Number(process.env.WEFT_LEASE_MS ?? 10_000),
      pollMs: options.pollMs ?? 1000,
      cacheSize: options.cacheSize ?? 2000,
      historyLimit: options.historyLimit ?? (process.env.WEFT_HISTORY_LIMIT ? Number(process.env.WEFT_HISTORY_LIMIT) : undefined),
      shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    };
  }

  get commitStats(): { commits: number; units: number } {
    return this.committer.stats;
  }

  async start(): Promise<void> {
    this.unlisten = await this.engine.notifier.listen(() => this.wake?.());
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(this.options.leaseMs / 3)));
    this.loopDone = this.loop();
  }

  /** Stops claiming; waits for in-flight activities (up to the grace period), then releases the rest. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loopDone;
    const deadline = Date.now() + this.options.shutdownGraceMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const controller of this.running.values()) controller.abort(new Error("worker stopping"));
    await Promise.allSettled([...this.locks.values()]);
    if (this.heartbeat) clearInterval(this.heartbeat);
    await releaseTasks(this.db, this.id, [...this.held]).catch(() => {});
    this.held.clear();
    await this.unlisten?.();
  }

  // ---------------------------------------------------------------------------------------------
  // Claiming

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        const now = Date.now();
        const leaseUntil = now + this.options.leaseMs;
        const tasks = await claimTasks(this.db, this.id, now, leaseUntil, 200, ["workflow", "timer"]);
        const free = this.options.concurrency - this.running.size;
        if (free > 0) tasks.push(...(await claimTasks(this.db, this.id, now, leaseUntil, Math.min(free, 200), ["activity"])));
        claimed = tasks.length;
        for (const t of tasks) this.dispatch(t);
      } catch (err) {
        this.options.log(`weft worker: claiming failed: ${(err as Error).message}`);
      }
      if (this.stopping) break;
      if (claimed > 0) {
        await drain();
        continue;
      }
      await this.idle();
    }
  }

  private async idle(): Promise<void> {
    let wait = this.options.pollMs;
    try {
      const due = await nextDueAt(this.db, Date.now());
      if (due !== undefined) wait = Math.min(wait, Math.max(due - Date.now(), 0));
      // Due work we could not take (every activity slot busy) waits for a slot, not a spin.
      if (wait === 0 && this.running.size >= this.options.concurrency) wait = this.options.pollMs;
    } catch {
      // The poll below retries.
    }
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
    this.wake = undefined;
  }

  private dispatch(task: TaskRow): void {
    this.held.add(task.id);
    switch (task.kind) {
      case "workflow":
        void this.advance(task.runId, { kind: "wake", taskId: task.id });
        break;
      case "timer": {
        const { cmd } = this.codec.decode(task.data ?? "null") as { cmd: number };
        void this.advance(task.runId, { kind: "timer", taskId: task.id, cmd });
        break;
      }
      case "activity":
        void this.runActivity(task);
        break;
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await extendLeases(this.db, this.id, [...this.held], Date.now() + this.options.leaseMs);
    } catch (err) {
      this.options.log(`weft worker: renewing leases failed: ${(err as Error).message}`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  /** Applies a trigger to a run, one transition at a time per run. */
  advance(runId: string, trigger: Trigger): Promise<void> {
    const previous = this.locks.get(runId) ?? Promise.resolve();
    const next = previous.then(() => this.advanceWithRetry(runId, trigger)).catch((err) => {
      this.options.log(`weft worker: run ${runId}: ${(err as Error).stack ?? err}`);
    });
    this.locks.set(runId, next);
    void next.finally(() => {
      if (this.locks.get(runId) === next) this.locks.delete(runId);
      if (trigger.kind !== "activity" && "taskId" in trigger && trigger.taskId !== undefined) this.held.delete(trigger.taskId);
    });
    return next;
  }

  private async advanceWithRetry(runId: string, trigger: Trigger): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.transition(runId, trigger);
        return;
      } catch (err) {
        this.cache.delete(runId);
        if (err instanceof LeaseLost) return;
        if (!(err instanceof SeqConflict || isTransientDatabaseError(err)) || attempt >= 10) throw err;
        if (!(err instanceof SeqConflict)) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
  }

  private async load(runId: string): Promise<CachedRun | undefined> {
    const run = await getRun(this.db, this.codec, runId);
    if (!run || run.status !== "running") return undefined;
    const module = await this.modules.get(run.name, run.version);
    if (module.hash !== run.hash) {
      throw new Error(
        `run ${runId} started on ${run.name} version ${run.version} with hash ${run.hash}, but the stored module has hash ${module.hash}: refusing to resume it on different code`,
      );
    }
    const history = await loadHistory(this.db, this.codec, runId);
    const started = history[0];
    if (!started || started.type !== "WorkflowStarted") throw new Error(`run ${runId} has no WorkflowStarted event`);
    const exec = new WorkflowExecution(module.run, started, { drain, historyLimit: this.options.historyLimit, onResume: pointSandboxAt });
    const unpersisted = await this.activate(exec, history);
    return { run, exec, nextSeq: run.nextSeq, unpersisted };
  }

  private activate(exec: WorkflowExecution, events: RecordedEvent[]): Promise<HistoryEvent[]> {
    return exec.activate(events);
  }

  private remember(runId: string, state: CachedRun): void {
    this.cache.delete(runId);
    this.cache.set(runId, state);
    while (this.cache.size > this.options.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  private async transition(runId: string, trigger: Trigger): Promise<void> {
    const now = Date.now();
    const state = this.cache.get(runId) ?? (await this.load(runId));
    if (!state) {
      // The run has ended (or never was): the trigger has nothing left to act on.
      if (trigger.taskId !== undefined) await this.committer.submit((tx) => completeTask(tx, trigger.taskId!, this.id));
      return;
    }
    const events: HistoryEvent[] = [...state.unpersisted];
    let seq = state.nextSeq + events.length;
    const consumed: { signalId: number; seq: number }[] = [];
    const apply = async (event: HistoryEvent) => {
      const recorded = { ...event, seq: seq++, at: now } as RecordedEvent;
      events.push(event);
      const produced = await this.activate(state.exec, [recorded]);
      events.push(...produced);
      seq += produced.length;
      return recorded.seq;
    };

    let reschedule: { dueAt: number; attempt: number } | undefined;
    const waiting = state.exec.waitingOn;
    switch (trigger.kind) {
      case "wake":
        break;
      case "timer":
        if (waiting?.cmd === trigger.cmd) {
          if (waiting.type === "TimerStarted") await apply({ type: "TimerFired", cmd: waiting.cmd, nodeId: waiting.nodeId });
          else await apply({ type: "WaitTimedOut", cmd: waiting.cmd, nodeId: waiting.nodeId });
        }
        break;
      case "activity": {
        if (waiting?.cmd !== trigger.cmd || waiting.type !== "ActivityScheduled") break;
        const { outcome } = trigger;
        if (outcome.ok) {
          await apply({ type: "ActivityCompleted", cmd: trigger.cmd, nodeId: trigger.nodeId, attempt: trigger.attempt, result: outcome.result ?? null });
          this.stats.steps++;
        } else if (outcome.retryAt !== undefined) {
          await apply({ type: "ActivityFailed", cmd: trigger.cmd, nodeId: trigger.nodeId, attempt: trigger.attempt, error: outcome.error, nextAttemptAt: outcome.retryAt });
          reschedule = { dueAt: outcome.retryAt, attempt: trigger.attempt + 1 };
        } else {
          await apply({ type: "ActivityFailed", cmd: trigger.cmd, nodeId: trigger.nodeId, attempt: trigger.attempt, error: outcome.error });
          this.stats.steps++;
        }
        break;
      }
    }

    // A wait takes the oldest signal meant for it from the inbox, if one is there already.
    for (;;) {
      const w = state.exec.waitingOn;
      if (!w || state.exec.closed || (w.type !== "SignalWaitStarted" && w.type !== "ApprovalRequested")) break;
      const names = w.type === "ApprovalRequested" ? ["approve", "decline"] : [w.signal];
      const signal = await nextSignal(
        this.db,
        this.codec,
        runId,
        names,
        w.type === "ApprovalRequested" ? w.nodeId : undefined,
        consumed.map((c) => c.signalId),
      );
      if (!signal) break;
      const at = await apply({ type: "SignalReceived", cmd: w.cmd, nodeId: w.nodeId, signal: signal.name, payload: signal.payload, signalId: signal.id });
      consumed.push({ signalId: signal.id, seq: at });
    }

    if (events.length === 0 && trigger.kind === "wake" && trigger.taskId === undefined) return;

    const closing = events.find((e) => e.type === "WorkflowCompleted" || e.type === "WorkflowFailed" || e.type === "ContinuedAsNew");
    let continued: { runId: string; started: RecordedEvent } | undefined;
    if (closing?.type === "ContinuedAsNew") {
      const carried = state.exec.carried!;
      const newRunId = randomUUID();
      closing.newRunId = newRunId;
      continued = {
        runId: newRunId,
        started: {
          type: "WorkflowStarted",
          workflowId: state.run.workflowId,
          runId: newRunId,
          name: state.run.name,
          version: state.run.version,
          hash: state.run.hash,
          input: state.run.input,
          firstStartedAt: state.exec.firstStartedAt,
          continuedAt: carried.at,
          carried: carried.vars,
          continuedFromRunId: runId,
          seq: 1,
          at: now,
        },
      };
    }

    const newTasks: NewTask[] = [];
    let reserved = 0;
    const leaseUntil = now + this.options.leaseMs;
    const workflowId = state.run.workflowId;
    for (const e of events) {
      if (e.type === "ActivityScheduled") {
        const data: ActivityTaskData = { cmd: e.cmd, activity: e.activity, input: e.input, options: e.options, workflowId };
        const local = this.plugins.has(e.activity) && this.running.size + this.reservedSlots < this.options.concurrency && !this.stopping;
        if (local) {
          this.reservedSlots++;
          reserved++;
        }
        newTasks.push({
          runId,
          kind: "activity",
          dueAt: now,
          nodeId: e.nodeId,
          attempt: 1,
          data: this.codec.encode(data),
          ...(local ? { leaseOwner: this.id, leaseUntil } : {}),
        });
      } else if (e.type === "TimerStarted") {
        newTasks.push({ runId, kind: "timer", dueAt: e.dueAt, nodeId: e.nodeId, data: this.codec.encode({ cmd: e.cmd }) });
      } else if ((e.type === "ApprovalRequested" || e.type === "SignalWaitStarted") && e.dueAt !== undefined) {
        newTasks.push({ runId, kind: "timer", dueAt: e.dueAt, nodeId: e.nodeId, data: this.codec.encode({ cmd: e.cmd }) });
      }
    }

    const expectedSeq = state.nextSeq;
    const taskIds = await this.committer.submit(async (tx: SqlExecutor) => {
      if (trigger.taskId !== undefined) {
        const ok = reschedule
          ? await rescheduleTask(tx, trigger.taskId, this.id, reschedule.dueAt, reschedule.attempt)
          : await completeTask(tx, trigger.taskId, this.id);
        if (!ok) throw new LeaseLost();
      }
      if (events.length === 0) {
        // Nothing to append, but the trigger's task is consumed: only if this worker's view of
        // the run is current. A run cached here may have been advanced by another worker (the
        // trigger then names a command this copy has not seen, or a wait it does not know of);
        // consuming the task on that stale view would drop a timer, an activity's result or a
        // signal's wake-up. A moved run is a SeqConflict: the run is reloaded and the trigger
        // applied again.
        const moved = await tx.execute("UPDATE run SET next_seq = next_seq WHERE run_id = ? AND next_seq = ?", [runId, expectedSeq]);
        if (moved !== 1) throw new SeqConflict(runId);
      }
      await appendEvents(tx, this.codec, runId, expectedSeq, events, now);
      for (const c of consumed) await consumeSignal(tx, c.signalId, c.seq);
      if (closing) {
        await deleteRunTasks(tx, runId);
        if (closing.type === "WorkflowCompleted") await closeRun(tx, this.codec, runId, "completed", now, { result: closing.result });
        else if (closing.type === "WorkflowFailed") await closeRun(tx, this.codec, runId, "failed", now, { error: closing.error });
        else await closeRun(tx, this.codec, runId, "continued", now, {});
        if (continued) {
          await insertRun(
            tx,
            this.codec,
            {
              runId: continued.runId,
              workflowId,
              name: state.run.name,
              version: state.run.version,
              hash: state.run.hash,
              input: state.run.input,
              startedAt: now,
              firstRunId: state.run.firstRunId,
              continuedFromRunId: runId,
            },
            2,
          );
          await tx.execute(
            "INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            eventRow(this.codec, continued.runId, continued.started),
          );
          await insertTasks(tx, [{ runId: continued.runId, kind: "workflow", dueAt: now }]);
          await moveSignals(tx, runId, continued.runId);
        }
        return [];
      }
      // Activities this worker has no slot for go to the shared queue: wake the other workers
      // now rather than at their next poll (PostgreSQL delivers a NOTIFY at commit, once per
      // transaction; on SQLite they see the commit through data_version).
      if (this.db.kind === "postgresql" && newTasks.some((t) => t.kind === "activity" && !t.leaseOwner)) await tx.execute(`NOTIFY ${CHANNEL}`);
      return insertTasks(tx, newTasks);
    }).catch((err) => {
      this.reservedSlots -= reserved;
      throw err;
    });
    // The activities claimed here start below, at once: they count as running from there.
    this.reservedSlots -= reserved;

    state.nextSeq = expectedSeq + events.length;
    state.unpersisted = [];
    if (closing) {
      this.cache.delete(runId);
      this.stats.runsCompleted++;
      if (continued) this.wake?.();
    } else {
      this.remember(runId, state);
    }
    // Run at once the activities this worker claimed as it scheduled them.
    newTasks.forEach((t, i) => {
      if (t.kind === "activity" && t.leaseOwner === this.id && taskIds[i] > 0) {
        void this.runActivity({ id: taskIds[i], runId, kind: "activity", dueAt: now, nodeId: t.nodeId ?? null, attempt: 1, data: t.data ?? null });
      }
    });
    if (newTasks.some((t) => t.kind === "timer" || !t.leaseOwner)) this.wake?.();
  }

  // ---------------------------------------------------------------------------------------------
  // Activities

  private async runActivity(task: TaskRow): Promise<void> {
    this.held.add(task.id);
    const data = this.codec.decode(task.data ?? "null") as ActivityTaskData;
    const attempt = task.attempt ?? 1;
    const controller = new AbortController();
    this.running.set(task.id, controller);
    let outcome: { ok: true; result: unknown } | { ok: false; error: ErrorInfo; retryAt?: number };
    try {
      const result = await this.invoke(task, data, attempt, controller);
      outcome = { ok: true, result };
    } catch (err) {
      const error = errorInfo(err);
      const decision = nextRetry(data.options.retry, attempt, error.type);
      outcome = decision.retry ? { ok: false, error, retryAt: Date.now() + decision.delayMs! } : { ok: false, error };
    } finally {
      this.running.delete(task.id);
    }
    if (this.stopping && controller.signal.aborted) {
      // Released at shutdown: another worker runs this attempt again.
      return;
    }
    await this.advance(task.runId, { kind: "activity", taskId: task.id, cmd: data.cmd, nodeId: task.nodeId ?? "", attempt, outcome });
    this.held.delete(task.id);
    this.wake?.();
  }

  private async invoke(task: TaskRow, data: ActivityTaskData, attempt: number, controller: AbortController): Promise<unknown> {
    const def = this.plugins.get(data.activity);
    if (!def) {
      throw Object.assign(new Error(`no activity named "${data.activity}" is loaded in worker ${this.id}: start a worker with --activities for its plugin`), {
        type: "ActivityNotFound",
      });
    }
    const timeoutMs = data.options.timeout === undefined ? DEFAULT_ACTIVITY_TIMEOUT_MS : (parseDuration(data.options.timeout) ?? DEFAULT_ACTIVITY_TIMEOUT_MS);
    let lastBeat = 0;
    const log = (level: string) => (...args: unknown[]) => this.options.log(`[${data.workflowId} ${task.nodeId} ${data.activity} #${attempt}] ${level}: ${args.map(String).join(" ")}`);
    const ctx: ActivityContext = {
      attempt,
      signal: controller.signal,
      heartbeat: () => {
        // The lease is renewed for every held task a third of a lease before it ends anyway;
        // a heartbeat renews this one at once, at most once per tenth of a lease.
        const now = Date.now();
        if (now - lastBeat < this.options.leaseMs / 10) return;
        lastBeat = now;
        void extendLeases(this.db, this.id, [task.id], now + this.options.leaseMs).catch(() => {});
      },
      log: { info: log("info"), warn: log("warn"), error: log("error") },
      info: { workflowId: data.workflowId, runId: task.runId, nodeId: task.nodeId ?? "", activity: data.activity },
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = Object.assign(new Error(`attempt ${attempt} of ${data.activity} timed out after ${data.options.timeout ?? "5m"}`), { type: "Timeout" });
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(() => def.run(data.input, ctx)), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorInfo(err: unknown): ErrorInfo {
  const e = err as { type?: unknown; name?: unknown; message?: unknown };
  const type = typeof e?.type === "string" ? e.type : typeof e?.name === "string" ? e.name : "Error";
  return { type, message: typeof e?.message === "string" ? e.message : String(err) };
}

export type { CommandEvent };
