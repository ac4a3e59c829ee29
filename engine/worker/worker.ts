// The worker: claims due work with leases, runs workflow code (replaying history when a run is
// not in its cache) and activities, and records every decision before it takes effect.
//
// Everything that happens to a run goes through `advance`, one transition at a time per run:
// apply the trigger (an activity's result, a timer, a signal), let the code run as far as it
// can, and commit the resulting events, tasks and signal consumptions in one unit of a group
// commit (a write set: write-set.ts). A unit whose run moved on elsewhere (SeqConflict) or whose
// task lease was lost writes nothing, and the run is reloaded from the database.
//
// Timers are claimed up to a look-ahead before they fall due and fired here by setTimeout at
// their due time, their runs loaded meanwhile; runs started in this process are handed to the
// worker directly (adopt), without a claim or a read of what was just written.

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { ActivityContext, ActivityDefinition } from "../activity.ts";
import type { PayloadCodec } from "../codec.ts";
import type { Engine } from "../engine.ts";
import { isTransientDatabaseError } from "../errors.ts";
import { loadHistories, loadHistory, SeqConflict } from "../history-store.ts";
import { validateActivityInput } from "../plugins.ts";
import { DEFAULT_ACTIVITY_TIMEOUT_MS, nextRetry } from "../retry.ts";
import { newRunId as nextRunId } from "../run-ids.ts";
import { getRun, getRuns, setHold, type RunRow, type RunWait } from "../run-store.ts";
import type { ErrorInfo, HistoryEvent, RecordedEvent } from "../runtime/events.ts";
import { WorkflowExecution } from "../runtime/execution.ts";
import { setDeterminismSource } from "../sandbox.ts";
import { nextSignal } from "../signal-store.ts";
import type { Database, SqlExecutor } from "../storage/types.ts";
import { activityTask, claimTasks, expireLeasesOf, extendLeases, nextDueAt, recordHeartbeat, releaseTasks, takeOverActivities, tasksHeld, type ActivityTaskData, type ClaimWant, type NewTask, type TaskRow } from "../task-store.ts";
import { parseDuration } from "../../compiler/durations.ts";
import { startBackgroundCheckpoints } from "../storage/sqlite-checkpointer.ts";
import { beatWorker, registerWorker, unregisterWorker, WORKER_BEAT_MS } from "../worker-store.ts";
import { GroupCommitter } from "./committer.ts";
import { deadWorkers, LIVENESS_CHECK_MS, LivenessLock } from "./liveness.ts";
import { recordRetriedLosses, type RetriedLoss } from "./lost-attempts.ts";
import { LeaseLost, type RunInsert, type StepWrite } from "./write-set.ts";
import { ModuleCache } from "./modules.ts";
import { applyHold, brokenReplay, heldEvents, type BrokenReplay, type HeldTrigger } from "./hold.ts";

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
  /**
   * Timers falling due within this many ms are claimed early and fired here, each at its due
   * time (default: the poll interval). Their runs are loaded meanwhile, so a timer costs no
   * replay when it fires.
   */
  timerLookaheadMs?: number;
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
  /** The version whose code runs it: its own, or one declared compatible with it. */
  moduleVersion: number;
  /**
   * Where the run waits as its row says (the command `cmd`): kept here so that a step knows,
   * without a read, whether the wait it leaves behind is the one that was there (same since) or
   * a new one (since now). Undefined: not known (a command not in the database yet).
   */
  wait: (RunWait & { cmd: number }) | undefined;
  /** Its code does not replay its history: the run is held, not advanced (hold.ts). */
  broken?: BrokenReplay;
}

/** What brings the worker to a run: a wake-up, a timer, or an activity's outcome. */
type Trigger = HeldTrigger;

/**
 * How long a workflow task waits for a worker with free activity slots before a worker with
 * none takes it anyway (and queues its activities for whoever has room).
 */
const WORKFLOW_HANDOFF_MS = 1000;

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
  /**
   * Runs loaded ahead of a timer this worker holds and will fire soon, outside the LRU cache
   * (which they would otherwise flush, or be flushed from, before their timer fires). Bounded
   * by the timers claimed within the look-ahead; taken out by the run's next transition.
   */
  private readonly prefetched = new Map<string, CachedRun>();
  /** Runs being loaded ahead of their timers; a transition meanwhile takes a run off. */
  private readonly prefetching = new Set<string>();
  /** Timers claimed early, armed to fire at their due time: task id → its setTimeout. */
  private readonly armed = new Map<number, NodeJS.Timeout>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly held = new Set<number>();
  /** Activity tasks with an attempt under way here (run, or its loss being recorded): task id → attempt. */
  private readonly attemptsUnderWay = new Map<number, number>();
  /**
   * A later attempt of a task, claimed back by this worker while an earlier one was still under
   * way here (its lease had run out meanwhile, and another worker recorded that attempt's
   * outcome): dispatched once the earlier one ends, whose own outcome the database refuses.
   */
  private readonly reclaimed = new Map<number, TaskRow>();
  private readonly running = new Map<number, AbortController>();
  /**
   * Activity slots promised to tasks this worker claims as it schedules them, from the moment
   * it decides to run one until that transition commits (and the activity starts): transitions
   * that commit together decide before any of their activities runs, and must not all take the
   * same free slot.
   */
  private reservedSlots = 0;
  /**
   * Tasks claimed, and runs loaded, at a time. On SQLite each claim or load runs on this thread
   * (better-sqlite3 is synchronous) and blocks its timers meanwhile: 500 timers claimed in one
   * statement, or 500 runs read at once, blocked it for 10-30 ms. On PostgreSQL a statement is
   * a round trip whose wait costs the thread nothing.
   */
  private readonly batch: number;
  /** Claimed workflow tasks whose transitions have not finished: each may want an activity slot. */
  private transitions = 0;
  /** Since when this worker has had no room for more runs (see the claim loop). */
  private fullSince: number | undefined;
  /** The claim loop went to sleep with every activity slot taken (it then ignores queued ones). */
  private sleptWithoutSlots = false;
  private readonly options: Required<Omit<WorkerOptions, "id" | "historyLimit" | "timerLookaheadMs">> & { historyLimit?: number; timerLookaheadMs: number };
  private stopping = false;
  /** Set by a wake-up; the claim loop looks again before it sleeps. */
  private woken = false;
  private wakeIdle: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private leaseRenewal: NodeJS.Timeout | undefined;
  /** Refreshes this worker's row in the registry (worker-store.ts). */
  private registration: NodeJS.Timeout | undefined;
  /** PostgreSQL: the advisory lock that tells other workers this one is alive (liveness.ts). */
  private liveness: LivenessLock | undefined;
  /** Looks for dead workers, to take their work over without waiting for their leases to end. */
  private livenessCheck: NodeJS.Timeout | undefined;
  private checkingLiveness = false;
  private unlisten: (() => Promise<void>) | undefined;
  private stopCheckpoints: (() => Promise<void>) | undefined;
  /**
   * For the benchmark: steps (activity results) recorded, runs completed, claim statements sent,
   * and runs loaded from the database (a cache miss: a read and a replay).
   */
  readonly stats = { steps: 0, runsCompleted: 0, claims: 0, loads: 0 };

  constructor(
    private readonly engine: Engine,
    private readonly plugins: Map<string, ActivityDefinition>,
    options: WorkerOptions = {},
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.db = engine.db;
    this.codec = engine.codec;
    this.batch = this.db.kind === "sqlite" ? 100 : 500;
    this.committer = new GroupCommitter(this.db, this.codec, this.batch * 2);
    this.committer.onCommit = (runIds) => engine.notifier.appended(runIds);
    this.modules = new ModuleCache(this.db);
    this.options = {
      concurrency: options.concurrency ?? 100,
      leaseMs: options.leaseMs ?? Number(process.env.WEFT_LEASE_MS ?? 10_000),
      pollMs: options.pollMs ?? 1000,
      cacheSize: options.cacheSize ?? 2000,
      historyLimit: options.historyLimit ?? (process.env.WEFT_HISTORY_LIMIT ? Number(process.env.WEFT_HISTORY_LIMIT) : undefined),
      shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
      timerLookaheadMs: options.timerLookaheadMs ?? options.pollMs ?? 1000,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    };
  }

  get commitStats(): { commits: number; units: number } {
    return this.committer.stats;
  }

  /** For the engine (LocalWorker): this worker's lease length, and whether it takes new runs. */
  get leaseMs(): number {
    return this.options.leaseMs;
  }

  get accepting(): boolean {
    return !this.stopping;
  }

  /**
   * A run just started in this process, its workflow task already leased to this worker: start
   * it from its first event (no claim, no read of what was just written).
   */
  adopt(taskId: number, run: RunInsert, started: RecordedEvent): void {
    const runId = run.runId;
    this.held.add(taskId);
    if (this.stopping) return; // released with `held`
    const row: RunRow = { ...run, status: "running", result: null, error: null, closedAt: null, nextSeq: 2 };
    this.prefetching.add(runId);
    void this.replay(row, [started])
      .then(
        (state) => {
          if (this.prefetching.has(runId) && !this.cache.has(runId)) this.prefetched.set(runId, state);
        },
        () => {
          // The transition loads the run itself, and reports what fails.
        },
      )
      .finally(() => {
        this.prefetching.delete(runId);
        if (!this.stopping) void this.advance(runId, { kind: "wake", taskId });
      });
  }

  async start(): Promise<void> {
    // A worker whose payload keys may not write to this database refuses to start (codec-keys.ts).
    await this.engine.ensureWritable();
    const startedAt = Date.now();
    // The lock first, the row second: a registered worker without its lock is taken for dead.
    this.liveness = await LivenessLock.take(this.db, this.options.log, (key) => {
      beatWorker(this.db, this.id, Date.now(), key).catch(() => {});
    });
    await this.register(startedAt);
    this.registration = setInterval(() => {
      beatWorker(this.db, this.id, Date.now())
        .then((listed) => {
          // Taken for dead (its lock connection dropped a while): it registers again.
          if (!listed && !this.stopping) return this.register(startedAt);
        })
        .catch((err) => this.options.log(`weft worker: refreshing its registration failed: ${(err as Error).message}`));
    }, WORKER_BEAT_MS);
    // At once too: a worker started in place of one that died takes over its work first thing.
    void this.takeOverDead();
    this.livenessCheck = setInterval(() => void this.takeOverDead(), LIVENESS_CHECK_MS);
    this.unlisten = await this.engine.notifier.listen(() => this.poke());
    // SQLite: WAL checkpoints in a thread of their own, not in a commit that blocks this one.
    this.stopCheckpoints = startBackgroundCheckpoints(this.db);
    this.leaseRenewal = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(this.options.leaseMs / 3)));
    this.loopDone = this.loop();
    this.engine.attachWorker(this);
  }

  private async register(startedAt: number): Promise<void> {
    // Names, titles and input schemas: the designer's palette lists them (liveActivities).
    const activities = [...this.plugins]
      .map(([name, def]) => ({ name, title: def.title, inputSchema: def.inputSchema }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    await registerWorker(this.db, {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      activities,
      concurrency: this.options.concurrency,
      startedAt,
      heartbeatAt: Date.now(),
      lockKey: this.liveness?.key ?? null,
    });
  }

  /**
   * Takes over the work of workers that are certainly dead (liveness.ts), so that their runs
   * move on now rather than a lease later, and forgets them: their activity tasks at once
   * (this worker records the lost attempts, which needs no activity slot), the rest (workflow
   * tasks, timers) by ending their leases, so that they are claimed as expired leases are, by
   * whichever worker has room for them.
   */
  private async takeOverDead(): Promise<void> {
    if (this.checkingLiveness || this.stopping || !this.liveness) return;
    this.checkingLiveness = true;
    try {
      const liveness = this.liveness;
      const dead = await deadWorkers(this.db, this.id, liveness.executor);
      let expired = 0;
      for (const id of dead) {
        // In one commit, on the liveness connection (no wait for the pool): its activity tasks
        // become this worker's, the attempts they had under way are recorded lost where the
        // step will be tried again, its other leases end, its registration goes.
        const { lost, recorded, freed } = await liveness.transaction(async (tx) => {
          const taken = await takeOverActivities(tx, id, this.id, Date.now() + this.options.leaseMs);
          const done = await this.recordRetriedLosses(tx, taken);
          const n = await expireLeasesOf(tx, id);
          await unregisterWorker(tx, id);
          return { lost: taken, recorded: done, freed: n };
        });
        expired += freed + recorded.size;
        this.options.log(`weft worker: worker ${id} is gone: ${lost.length} lost attempt(s) recorded, ${freed} other task(s) freed`);
        const appended = [...new Set(lost.filter((t) => recorded.has(t.id)).map((t) => t.runId))];
        for (const runId of appended) {
          // What this worker held of the run in memory is behind it now.
          this.cache.delete(runId);
          this.prefetched.delete(runId);
        }
        if (appended.length > 0) {
          this.engine.notifier.appended(appended);
          this.poke(); // the next attempts' due times
        }
        // Steps that fail for good need their code: through a transition each (not awaited: the
        // next dead worker is looked for meanwhile).
        const rest = lost.filter((t) => !recorded.has(t.id));
        if (rest.length > 0) void this.recordLosses(rest);
      }
      if (expired > 0) await this.engine.notifier.notify();
    } catch (err) {
      this.options.log(`weft worker: looking for dead workers failed: ${(err as Error).message}`);
    } finally {
      this.checkingLiveness = false;
    }
  }

  /** Stops claiming; waits for in-flight activities (up to the grace period), then releases the rest. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.livenessCheck);
    this.engine.detachWorker(this);
    this.poke();
    await this.loopDone;
    // Timers claimed early and not fired yet go back to the queue (released with `held`).
    for (const timer of this.armed.values()) clearTimeout(timer);
    this.armed.clear();
    this.prefetched.clear();
    this.prefetching.clear();
    const deadline = Date.now() + this.options.shutdownGraceMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const controller of this.running.values()) controller.abort(new Error("worker stopping"));
    await Promise.allSettled([...this.locks.values()]);
    clearInterval(this.leaseRenewal);
    await releaseTasks(this.db, this.id, [...this.held]).catch(() => {});
    this.held.clear();
    await this.unlisten?.();
    await this.stopCheckpoints?.();
    clearInterval(this.registration);
    await unregisterWorker(this.db, this.id).catch(() => {});
    // Unregistered first: nobody takes this worker for dead once its lock is gone.
    await this.liveness?.release();
  }

  // ---------------------------------------------------------------------------------------------
  // Claiming

  /** Work may have arrived: the claim loop looks (now if asleep, else before it sleeps). */
  private poke(): void {
    this.woken = true;
    this.wakeIdle?.();
  }

  private async loop(): Promise<void> {
    const limit = this.batch;
    while (!this.stopping) {
      // A wake-up from here on is seen: by this claim, or by idle() after it.
      this.woken = false;
      let full = false;
      try {
        const now = Date.now();
        const leaseUntil = now + this.options.leaseMs;
        const free = this.freeSlots();
        // A run stays with the worker that holds it in memory: its activities run here, and
        // their results are recorded here with no read and no replay. So a worker takes only
        // as many runs' workflow tasks as it has activity slots left for; the rest are left to
        // workers with room, or, once nobody has taken them for a while, taken anyway.
        const room = this.room();
        const takesRuns = this.takesRuns(room);
        this.fullSince = takesRuns ? undefined : (this.fullSince ?? now);
        const fullFor = takesRuns ? 0 : now - (this.fullSince ?? now);
        const wants: ClaimWant[] = [
          takesRuns
            ? { kind: "workflow", dueBy: now, limit: Math.min(room, limit) }
            : { kind: "workflow", dueBy: now - WORKFLOW_HANDOFF_MS, limit: fullFor >= WORKFLOW_HANDOFF_MS ? limit : 0 },
          // Timers are taken up to a look-ahead early.
          { kind: "timer", dueBy: now + this.options.timerLookaheadMs, limit },
          { kind: "activity", dueBy: now, limit: Math.min(free, limit) },
        ];
        this.stats.claims++;
        const tasks = await claimTasks(this.db, this.id, now, leaseUntil, wants);
        // Runs taken over after the wait: the next ones wait a full second again.
        if (!takesRuns && wants[0]!.limit > 0) this.fullSince = now;
        full = wants.some((w) => w.limit > 0 && tasks.filter((t) => t.kind === w.kind).length >= w.limit);
        // The runs of the tasks due now are loaded together (two statements, not two per run)
        // before they go; those of timers due later, meanwhile.
        const later = Date.now();
        await this.prefetch(tasks.filter((t) => t.kind !== "activity" && !(t.kind === "timer" && t.dueAt > later)).map((t) => t.runId));
        for (const t of tasks) this.dispatch(t);
        void this.prefetch(tasks.filter((t) => t.kind === "timer" && t.dueAt > later).map((t) => t.runId));
      } catch (err) {
        this.options.log(`weft worker: claiming failed: ${(err as Error).message}`);
      }
      if (this.stopping) break;
      // A claim that took all it could may have left more behind: claim again at once.
      // Otherwise everything due was taken; sleep until the next due time or a wake-up.
      if (full) {
        await drain();
        continue;
      }
      await this.idle();
    }
  }

  /** Activity slots neither running nor promised. */
  private freeSlots(): number {
    return Math.max(0, this.options.concurrency - this.running.size - this.reservedSlots);
  }

  /** Runs this worker can take on now: free slots less the workflow tasks it is still deciding. */
  private room(): number {
    return this.freeSlots() - this.transitions;
  }

  /**
   * Whether the claim loop takes workflow tasks: once a tenth of the slots have room, so that
   * a busy worker takes runs in batches as its runs end, not one claim per slot.
   */
  private takesRuns(room = this.room()): boolean {
    return room >= Math.ceil(this.options.concurrency / 10);
  }

  private async idle(): Promise<void> {
    if (this.woken) return drain();
    let wait = this.options.pollMs;
    try {
      // Due activities we could not take (every slot busy) wait for a slot, not a spin. Timers
      // are claimed up to a look-ahead early, but looked for only once the next one is within
      // half of it: a stream of timers is then claimed in a few large batches, not one claim
      // (on SQLite, one fsync'd write) per timer as each enters the look-ahead.
      const now = Date.now();
      const takesRuns = this.takesRuns();
      this.sleptWithoutSlots = this.freeSlots() === 0;
      const due = await nextDueAt(this.db, now, {
        timerLookaheadMs: this.options.timerLookaheadMs / 2,
        activities: !this.sleptWithoutSlots,
        workflows: takesRuns,
      });
      if (due !== undefined) wait = Math.min(wait, Math.max(due - Date.now(), 0));
      // With no room, workflow tasks are looked at again when the worker takes runs again (a
      // slot frees: runActivity pokes) or, should it stay full, once they may be handed off.
      if (!takesRuns && this.fullSince !== undefined) wait = Math.min(wait, Math.max(this.fullSince + WORKFLOW_HANDOFF_MS - Date.now(), 0));
    } catch {
      // The poll below retries.
    }
    // Not a bare return: on SQLite every await of the loop resolves without I/O, and looping
    // on at once would never let the runs' transitions (setImmediate) take their turn.
    if (wait <= 0 || this.woken) return drain();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeIdle = () => {
        this.wakeIdle = undefined;
        done();
      };
    });
    this.wakeIdle = undefined;
  }

  private dispatch(task: TaskRow): void {
    // This worker's own lease ran out (its thread was blocked a while) and it claimed the task
    // back while still at it: the work under way goes on, under the lease just renewed. A later
    // attempt than the one under way waits for that one to end.
    if (this.held.has(task.id)) {
      const under = this.attemptsUnderWay.get(task.id);
      if (task.kind === "activity" && under !== undefined && (task.attempt ?? 1) !== under) this.reclaimed.set(task.id, task);
      return;
    }
    this.held.add(task.id);
    switch (task.kind) {
      case "workflow":
        this.transitions++;
        void this.advance(task.runId, { kind: "wake", taskId: task.id }).finally(() => this.transitions--);
        break;
      case "timer": {
        const { cmd } = this.codec.decode(task.data ?? "null") as { cmd: number };
        this.fireAt(task, cmd);
        break;
      }
      case "activity":
        // Taken over from a worker that died holding it: that attempt was lost, and counts.
        if (task.lostBy !== null) void this.recordLosses([task]);
        else void this.runActivity(task);
        break;
    }
  }

  /**
   * Fires a timer this worker holds at its due time (at once when due). setTimeout may wake a
   * little before the wall clock reaches the due time: the timer is then armed again for the
   * rest, so that no run sees its timer fire early.
   */
  private fireAt(task: TaskRow, cmd: number): void {
    const wait = task.dueAt - Date.now();
    if (wait <= 0 || this.stopping) {
      this.armed.delete(task.id);
      if (this.stopping) return; // released with `held`
      void this.advance(task.runId, { kind: "timer", taskId: task.id, cmd });
      return;
    }
    this.armed.set(
      task.id,
      setTimeout(() => this.fireAt(task, cmd), wait),
    );
  }

  /**
   * Loads, in one go, the runs whose timers this worker will fire soon, so that firing costs no
   * replay. A run that is cached, or busy with a transition, is left alone.
   */
  private async prefetch(runIds: string[]): Promise<void> {
    const wanted = [...new Set(runIds)].filter((id) => !this.cache.has(id) && !this.prefetched.has(id) && !this.locks.has(id) && !this.prefetching.has(id));
    if (wanted.length === 0) return;
    for (const id of wanted) this.prefetching.add(id);
    try {
      const loaded = await this.loadMany(wanted);
      for (const [runId, state] of loaded) {
        // A run that had a transition while it loaded may have moved on: not kept.
        if (this.stopping || !this.prefetching.has(runId) || this.cache.has(runId) || this.locks.has(runId)) continue;
        this.prefetched.set(runId, state);
      }
    } catch (err) {
      // Only an optimisation: the timer loads its run when it fires.
      this.options.log(`weft worker: loading runs ahead of their timers failed: ${(err as Error).message}`);
    } finally {
      for (const id of wanted) this.prefetching.delete(id);
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await extendLeases(this.db, this.id, [...this.held], Date.now() + this.options.leaseMs);
      await this.abortUnwanted([...this.running.keys()]);
    } catch (err) {
      this.options.log(`weft worker: renewing leases failed: ${(err as Error).message}`);
    }
  }

  /**
   * Aborts the attempts under way whose task this worker no longer holds: its run was
   * cancelled or terminated (the task dropped), or another worker took it over after this
   * one's lease ran out. The activity sees its AbortSignal fire; its outcome is not recorded.
   */
  private async abortUnwanted(taskIds: number[]): Promise<void> {
    if (taskIds.length === 0) return;
    const held = await tasksHeld(this.db, this.id, taskIds);
    for (const id of taskIds) {
      if (held.has(id)) continue;
      const controller = this.running.get(id);
      if (controller && !controller.signal.aborted) {
        controller.abort(Object.assign(new Error("this attempt is no longer wanted: its run was cancelled or terminated, or another worker took it over"), { type: "Cancelled" }));
      }
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
        this.prefetched.delete(runId);
        if (err instanceof LeaseLost) return;
        if (!(err instanceof SeqConflict || isTransientDatabaseError(err)) || attempt >= 10) throw err;
        if (!(err instanceof SeqConflict)) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
  }

  private async load(runId: string): Promise<CachedRun | undefined> {
    // Both at once: one round trip's wait on PostgreSQL, not two.
    this.stats.loads++;
    const [run, history] = await Promise.all([getRun(this.db, this.codec, runId), loadHistory(this.db, this.codec, runId)]);
    if (!run || run.status !== "running") return undefined;
    return this.replay(run, history);
  }

  /** Loads several runs with two statements (their rows, then their histories). */
  private async loadMany(runIds: string[]): Promise<Map<string, CachedRun>> {
    const loaded = new Map<string, CachedRun>();
    for (let i = 0; i < runIds.length; i += this.batch) {
      const chunk = runIds.slice(i, i + this.batch);
      this.stats.loads += chunk.length;
      const [all, histories] = await Promise.all([getRuns(this.db, this.codec, chunk), loadHistories(this.db, this.codec, chunk)]);
      const runs = all.filter((r) => r.status === "running");
      for (const run of runs) {
        try {
          const state = await this.replay(run, histories.get(run.runId) ?? []);
          loaded.set(run.runId, state);
        } catch {
          // Left to the transition, which reports it.
        }
      }
    }
    return loaded;
  }

  private async replay(run: RunRow, history: RecordedEvent[]): Promise<CachedRun> {
    const runId = run.runId;
    const module = await this.modules.forRun(runId, run.name, run.version, run.hash);
    const started = history[0];
    if (!started || started.type !== "WorkflowStarted") throw new Error(`run ${runId} has no WorkflowStarted event`);
    const exec = new WorkflowExecution(module.run, started, { drain, historyLimit: this.options.historyLimit, onResume: pointSandboxAt });
    const unpersisted = await exec.activate(history);
    const broken = brokenReplay(exec, history);
    return { run, exec, nextSeq: run.nextSeq, unpersisted, moduleVersion: module.version, wait: waitInHistory(exec, run, history), ...(broken ? { broken } : {}) };
  }

  /**
   * A run whose code does not replay its history is held, not failed (hold.ts): the trigger is
   * recorded as far as the history alone allows, and the run waits for a deploy that takes it
   * over with code it replays on (Engine.deploy wakes it then).
   */
  private async hold(state: CachedRun, broken: BrokenReplay, trigger: Trigger, now: number): Promise<void> {
    const { runId, workflowId } = state.run;
    this.cache.delete(runId);
    this.prefetched.delete(runId);
    const { events, reschedule } = heldEvents(broken, trigger, this.id);
    const nodeId = broken.error.nodeId ?? state.run.wait?.nodeId ?? "";
    const before = state.run.held;
    const same = before && before.nodeId === nodeId && before.version === state.moduleVersion && before.reason === broken.error.message;
    const hold = { nodeId, reason: broken.error.message, since: same ? before.since : now, version: state.moduleVersion, divergence: { ...broken.error.divergence, nodeId } };
    await this.committer.submit({
      kind: "custom",
      run: (tx) =>
        applyHold(tx, this.codec, {
          runId,
          expectedSeq: state.nextSeq,
          at: now,
          events,
          ...(trigger.taskId === undefined ? {} : { task: { id: trigger.taskId, owner: this.id, ...(reschedule ? { reschedule } : {}) } }),
          hold,
        }),
    });
    if (!same) this.options.log(`weft worker: run ${runId} (${workflowId}) is held at node ${nodeId}: the code of ${state.run.name} version ${state.moduleVersion} does not replay its history (${broken.error.message}); it resumes when a version it replays on is deployed --compatible-with ${state.run.version}`);
    if (reschedule) this.poke();
  }


  private takePrefetched(runId: string): CachedRun | undefined {
    const state = this.prefetched.get(runId);
    if (state) this.prefetched.delete(runId);
    return state;
  }

  /**
   * A run held in memory, unless a version declared compatible with its own has been deployed
   * since it was loaded: it is then loaded again, and replayed on that version's code.
   */
  private async current(state: CachedRun | undefined): Promise<CachedRun | undefined> {
    if (!state) return undefined;
    const { name, version } = state.run;
    // Declarations are read again at most once a second (one statement, shared by the runs of
    // that workflow in this worker).
    const target = this.modules.resolveCached(name, version) ?? (await this.modules.resolve(name, version));
    if (target === state.moduleVersion) return state;
    this.cache.delete(state.run.runId);
    return undefined;
  }

  private remember(runId: string, state: CachedRun): void {
    this.cache.delete(runId);
    this.cache.set(runId, state);
    while (this.cache.size > this.options.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  private async transition(runId: string, trigger: Trigger): Promise<void> {
    const now = Date.now();
    this.prefetching.delete(runId);
    const held = this.cache.get(runId) ?? this.takePrefetched(runId);
    let state = (held && (await this.current(held))) ?? (await this.load(runId));
    if (state?.broken && (await this.modules.resolveFresh(state.run.name, state.run.version)) !== state.moduleVersion) {
      // Its code does not replay its history, but the declarations read were up to a second
      // old: a version that takes it over has come since (a deploy wakes its held runs).
      state = await this.load(runId);
    }
    if (!state) {
      // The run has ended (or never was): the trigger has nothing left to act on.
      if (trigger.taskId !== undefined) await this.committer.submit({ kind: "step", runId, task: { id: trigger.taskId, owner: this.id }, consumed: [], tasks: [] });
      return;
    }
    if (state.broken) return this.hold(state, state.broken, trigger, now);
    if (state.run.held) {
      // Held until now: its code replays its history again (a version declared compatible).
      await setHold(this.db, runId, null);
      this.options.log(`weft worker: run ${runId} (${state.run.workflowId}) was held at node ${state.run.held.nodeId}; it resumes on ${state.run.name} version ${state.moduleVersion}`);
      state.run.held = null;
    }
    const events: HistoryEvent[] = [...state.unpersisted];
    let seq = state.nextSeq + events.length;
    const consumed: { signalId: number; seq: number }[] = [];
    const apply = async (event: HistoryEvent) => {
      const recorded = { ...event, seq: seq++, at: now } as RecordedEvent;
      events.push(event);
      const produced = await state.exec.activate([recorded]);
      events.push(...produced);
      seq += produced.length;
      return recorded.seq;
    };
    /** An event the code does not read (replay skips it): appended without running the code. */
    const note = (event: HistoryEvent) => {
      events.push(event);
      seq++;
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
        // (A lost attempt started on the dead worker at a time nobody recorded: its failure
        // names that worker instead.)
        if (trigger.lostBy === undefined) {
          note({ type: "ActivityStarted", cmd: trigger.cmd, nodeId: trigger.nodeId, attempt: trigger.attempt, startedAt: trigger.startedAt, worker: this.id });
        }
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
      const at = await apply({
        type: "SignalReceived",
        cmd: w.cmd,
        nodeId: w.nodeId,
        signal: signal.name,
        payload: signal.payload,
        signalId: signal.id,
        ...(signal.sentBy === null ? {} : { by: signal.sentBy }),
      });
      consumed.push({ signalId: signal.id, seq: at });
    }

    if (events.length === 0 && trigger.kind === "wake" && trigger.taskId === undefined) return;

    const closing = events.find((e) => e.type === "WorkflowCompleted" || e.type === "WorkflowFailed" || e.type === "ContinuedAsNew");
    // A run that ends on the code of a version that took it over says which (describe shows it).
    if (closing && closing.type !== "ContinuedAsNew" && state.moduleVersion !== state.run.version) closing.version = state.moduleVersion;
    let continued: { runId: string; started: RecordedEvent } | undefined;
    if (closing?.type === "ContinuedAsNew") {
      const carried = state.exec.carried!;
      const newRunId = nextRunId();
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
          ...(state.exec.start.startedBy === undefined ? {} : { startedBy: state.exec.start.startedBy }),
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
        const local = this.plugins.has(e.activity) && this.running.size + this.reservedSlots < this.options.concurrency && !this.stopping;
        if (local) {
          this.reservedSlots++;
          reserved++;
        }
        newTasks.push({ ...activityTask(this.codec, runId, workflowId, e, now), ...(local ? { leaseOwner: this.id, leaseUntil } : {}) });
      } else if (e.type === "TimerStarted") {
        newTasks.push({ runId, kind: "timer", dueAt: e.dueAt, nodeId: e.nodeId, data: this.codec.encode({ cmd: e.cmd }) });
      } else if ((e.type === "ApprovalRequested" || e.type === "SignalWaitStarted") && e.dueAt !== undefined) {
        newTasks.push({ runId, kind: "timer", dueAt: e.dueAt, nodeId: e.nodeId, data: this.codec.encode({ cmd: e.cmd }) });
      }
    }

    // Where the run waits after this step, written with it (the runs list and the waiting view
    // read it): the same wait keeps its since; a failed attempt to be tried again marks it
    // retrying until the step is resolved.
    const waitingOn = closing ? undefined : state.exec.waitingOn;
    const same = waitingOn !== undefined && state.wait?.cmd === waitingOn.cmd;
    const wait = waitingOn && {
      cmd: waitingOn.cmd,
      nodeId: waitingOn.nodeId,
      kind: WAIT_KINDS[waitingOn.type],
      since: same ? state.wait!.since : now,
      retrying: reschedule !== undefined || (same && state.wait!.retrying),
      // A new wait's command is among the events appended now (the code returns the object it
      // waits on); the same wait keeps the seq it had.
      seq: same ? state.wait!.seq : state.nextSeq + events.indexOf(waitingOn),
    };
    // A signal stored after this step looked at the inbox (above), but before the step is
    // committed, has a wake-up of its own; another worker may take that wake-up while the run,
    // as it sees it, does not wait for the signal yet (it does only from this commit on), and
    // drop it: the signal would stay in the inbox of a run waiting for it (found by the crash
    // soak). So a step that begins a signal or approval wait leaves, in its commit, a wake-up
    // of its own, leased to this worker, which takes it at once and looks at the inbox again;
    // should this worker die first, whoever takes the task over looks. It costs a task row,
    // written and deleted, and a read of the inbox, per step that begins such a wait.
    const lookAgain = wait !== undefined && !same && (wait.kind === "signal" || wait.kind === "approval");
    if (lookAgain) newTasks.push({ runId, kind: "workflow", dueAt: now, leaseOwner: this.id, leaseUntil });

    const expectedSeq = state.nextSeq;
    const write: StepWrite = {
      kind: "step",
      runId,
      ...(trigger.taskId === undefined ? {} : { task: { id: trigger.taskId, owner: this.id, ...(reschedule ? { reschedule } : {}) } }),
      guard: { expectedSeq, events, at: now, wait: wait ? { nodeId: wait.nodeId, kind: wait.kind, since: wait.since, retrying: wait.retrying, seq: wait.seq } : null },
      consumed,
      tasks: newTasks,
      ...(closing
        ? {
            close:
              closing.type === "WorkflowCompleted"
                ? { status: "completed" as const, result: closing.result }
                : closing.type === "WorkflowFailed"
                  ? { status: "failed" as const, error: closing.error }
                  : { status: "continued" as const },
          }
        : {}),
      ...(continued
        ? {
            continued: {
              run: {
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
              started: continued.started,
            },
          }
        : {}),
      // Activities this worker has no slot for go to the shared queue: wake the other workers
      // now rather than at their next poll (PostgreSQL delivers a NOTIFY at commit, once per
      // transaction; on SQLite they see the commit through data_version).
      notify: !closing && newTasks.some((t) => t.kind === "activity" && !t.leaseOwner),
    };
    const taskIds = await this.committer.submit<number[]>(write).catch((err) => {
      this.reservedSlots -= reserved;
      throw err;
    });
    // The activities claimed here start below, at once: they count as running from there.
    this.reservedSlots -= reserved;

    state.nextSeq = expectedSeq + events.length;
    state.unpersisted = [];
    state.wait = wait;
    if (closing) {
      this.cache.delete(runId);
      this.stats.runsCompleted++;
      if (continued) this.poke();
    } else {
      this.remember(runId, state);
    }
    // Run at once the activities this worker claimed as it scheduled them.
    newTasks.forEach((t, i) => {
      if (t.kind === "activity" && t.leaseOwner === this.id && taskIds[i] > 0) {
        void this.runActivity({ id: taskIds[i], runId, kind: "activity", dueAt: now, nodeId: t.nodeId ?? null, attempt: 1, data: t.data ?? null, heartbeat: null, lostBy: null });
      }
    });
    // New timers, retries and queued activities: the claim loop looks at the next due time again.
    if (reschedule || newTasks.some((t) => t.kind === "timer" || !t.leaseOwner)) this.poke();
    // The wake-up this step left for itself (above): the inbox once more.
    const again = lookAgain ? taskIds[newTasks.length - 1]! : -1;
    if (again > 0) {
      this.held.add(again);
      void this.advance(runId, { kind: "wake", taskId: again });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Activities

  private async runActivity(task: TaskRow): Promise<void> {
    this.held.add(task.id);
    const data = this.codec.decode(task.data ?? "null") as ActivityTaskData;
    const attempt = task.attempt ?? 1;
    this.attemptsUnderWay.set(task.id, attempt);
    const startedAt = Date.now();
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
    await this.advance(task.runId, { kind: "activity", taskId: task.id, cmd: data.cmd, nodeId: task.nodeId ?? "", attempt, startedAt, outcome });
    this.attemptEnded(task.id);
    // A slot is free again. The claim loop, asleep, may have left work alone for want of room
    // (with room, it takes work as it is announced): queued activities when no slot was free,
    // workflow tasks until it takes runs again.
    if ((this.sleptWithoutSlots && this.freeSlots() > 0) || (this.fullSince !== undefined && this.takesRuns())) this.poke();
  }

  /**
   * Attempts lost with the workers that held them (killed, out of memory, their machine gone:
   * see liveness.ts and the leases), their tasks now this worker's: each is recorded as failed
   * with WorkerLost before anything else happens to its step, and the step's retry policy
   * decides what comes next, as for any failure: a later attempt (ctx.attempt one more, after
   * the policy's backoff, the heartbeat details kept) or, its attempts spent or WorkerLost among
   * its nonRetryableErrors, the step fails for good. An activity that kills its worker every
   * time thus ends, and the run fails or takes its error edge. The tasks stay held by this
   * worker until that is recorded; if this worker dies first, the next one records them, still
   * naming the worker each attempt ran on (task.lost_by is kept until the loss is recorded).
   */
  private async recordLosses(tasks: TaskRow[]): Promise<void> {
    // Held from now on, so that their leases are renewed however long this takes.
    for (const t of tasks) {
      this.held.add(t.id);
      this.attemptsUnderWay.set(t.id, t.attempt ?? 1);
    }
    // The runs' rows, in one statement: where each is, for the losses that need no replay.
    let runs = new Map<string, RunRow>();
    try {
      runs = new Map((await getRuns(this.db, this.codec, [...new Set(tasks.map((t) => t.runId))])).map((r) => [r.runId, r]));
    } catch {
      // Each is then recorded through a transition.
    }
    await Promise.all(tasks.map((t) => this.recordLost(t, t.lostBy!, runs.get(t.runId))));
  }

  /** What an attempt lost with `lostBy` is recorded as, and when the step is tried again (if it is). */
  private loss(task: TaskRow, lostBy: string): { data: ActivityTaskData; error: ErrorInfo; retryAt?: number } {
    const attempt = task.attempt ?? 1;
    const data = this.codec.decode(task.data ?? "null") as ActivityTaskData;
    const error: ErrorInfo = {
      type: "WorkerLost",
      message: `worker ${lostBy} was lost during attempt ${attempt} of ${data.activity}: its process died, or stopped renewing its lease, before the outcome was recorded`,
    };
    const decision = nextRetry(data.options.retry, attempt, error.type);
    return { data, error, ...(decision.retry ? { retryAt: Date.now() + decision.delayMs! } : {}) };
  }

  /**
   * In the takeover's transaction: records the lost attempts of `tasks` that their steps'
   * policies try again, without replay (lost-attempts.ts). Resolves to the ids of the tasks
   * recorded; the others (steps that fail for good, runs that ended) are left to recordLosses.
   */
  private async recordRetriedLosses(tx: SqlExecutor, tasks: TaskRow[]): Promise<Set<number>> {
    const losses: RetriedLoss[] = [];
    for (const task of tasks) {
      try {
        const l = this.loss(task, task.lostBy!);
        if (l.retryAt !== undefined) losses.push({ task, cmd: l.data.cmd, error: l.error, retryAt: l.retryAt });
      } catch {
        // Left to recordLosses, which reports it.
      }
    }
    return recordRetriedLosses(tx, this.db.kind, this.codec, this.id, losses, Date.now());
  }

  private async recordLost(task: TaskRow, lostBy: string, run: RunRow | undefined): Promise<void> {
    const attempt = task.attempt ?? 1;
    try {
      const { data, error, retryAt } = this.loss(task, lostBy);
      // A loss the policy retries changes nothing the code reads (the step is still open), so
      // it is recorded from the run's row alone, with no replay: a dead worker's runs move on
      // in one commit, however many there are and however busy this worker is. A step that
      // fails for good needs the code (what comes next), and so does any surprise.
      if (retryAt !== undefined && run?.status === "running" && (await this.recordLossAlone(task, data, error, retryAt, run))) return;
      const outcome = retryAt !== undefined ? { ok: false as const, error, retryAt } : { ok: false as const, error };
      await this.advance(task.runId, { kind: "activity", taskId: task.id, cmd: data.cmd, nodeId: task.nodeId ?? "", attempt, startedAt: Date.now(), outcome, lostBy });
    } catch (err) {
      this.options.log(`weft worker: run ${task.runId}: recording the attempt lost with worker ${lostBy} failed: ${(err as Error).message}`);
    } finally {
      this.attemptEnded(task.id);
    }
  }

  /**
   * Records a lost attempt that will be tried again, as the transition would (ActivityFailed
   * with its next attempt, the task rescheduled, the run's wait marked retrying), at the run's
   * next seq as its row says, without running its code. The task, held by this worker at this
   * attempt (rescheduleTask checks both), is proof that the step is open: a step's outcome and
   * its task's end are written together. False when the run moved on meanwhile (SeqConflict):
   * the transition decides then.
   */
  private async recordLossAlone(task: TaskRow, data: ActivityTaskData, error: ErrorInfo, retryAt: number, run: RunRow): Promise<boolean> {
    const attempt = task.attempt ?? 1;
    const nodeId = task.nodeId ?? "";
    const wait = run.wait && run.wait.kind === "activity" && run.wait.nodeId === nodeId ? { ...run.wait, retrying: true } : undefined;
    try {
      await this.committer.submit({
        kind: "step",
        runId: run.runId,
        task: { id: task.id, owner: this.id, reschedule: { dueAt: retryAt, attempt: attempt + 1 } },
        guard: { expectedSeq: run.nextSeq, events: [{ type: "ActivityFailed", cmd: data.cmd, nodeId, attempt, error, nextAttemptAt: retryAt }], at: Date.now(), ...(wait ? { wait } : {}) },
        consumed: [],
        tasks: [],
      });
    } catch (err) {
      if (err instanceof LeaseLost) return true; // another worker has the task now, and records it
      if (err instanceof SeqConflict) return false;
      throw err;
    }
    // What this worker held of the run in memory is behind it now.
    this.cache.delete(run.runId);
    this.prefetched.delete(run.runId);
    this.poke(); // the next attempt's due time
    return true;
  }

  /** An activity task's attempt under way here has ended: a later attempt claimed meanwhile goes now. */
  private attemptEnded(taskId: number): void {
    this.held.delete(taskId);
    this.attemptsUnderWay.delete(taskId);
    const next = this.reclaimed.get(taskId);
    if (next) {
      this.reclaimed.delete(taskId);
      // (Stopping: held again, to be released with the rest.)
      if (this.stopping) this.held.add(taskId);
      else this.dispatch(next);
    }
  }

  private async invoke(task: TaskRow, data: ActivityTaskData, attempt: number, controller: AbortController): Promise<unknown> {
    const def = this.plugins.get(data.activity);
    if (!def) {
      throw Object.assign(new Error(`no activity named "${data.activity}" is loaded in worker ${this.id}: start a worker with --activities for its plugin`), {
        type: "ActivityNotFound",
      });
    }
    const problems = validateActivityInput(def, data.input);
    if (problems.length > 0) {
      const list = problems.map((p) => `${p.path === "" ? "input" : `input${p.path.replace(/\//g, ".")}`} ${p.message}`).join("; ");
      throw Object.assign(new Error(`step ${task.nodeId} gives ${data.activity} an input that does not match its inputSchema: ${list}`), { type: "InvalidActivityInput" });
    }
    const timeoutMs = data.options.timeout === undefined ? DEFAULT_ACTIVITY_TIMEOUT_MS : (parseDuration(data.options.timeout) ?? DEFAULT_ACTIVITY_TIMEOUT_MS);
    const log = (level: string) => (...args: unknown[]) => this.options.log(`[${data.workflowId} ${task.nodeId} ${data.activity} #${attempt}] ${level}: ${args.map(String).join(" ")}`);
    // Heartbeats renew this task's lease at once (every held task's is renewed a third of a
    // lease before it ends anyway) and keep the latest details, at most once per tenth of a
    // lease; details that came in between are written at the end of that window, or before
    // the attempt's outcome, so that the next attempt finds the last ones.
    let lastBeat = 0;
    let unwritten: { details: unknown } | undefined;
    let trailing: NodeJS.Timeout | undefined;
    const beat = () => {
      lastBeat = Date.now();
      const leaseUntil = lastBeat + this.options.leaseMs;
      const write = unwritten ? recordHeartbeat(this.db, this.id, task.id, this.codec.encode(unwritten.details), leaseUntil) : extendLeases(this.db, this.id, [task.id], leaseUntil);
      unwritten = undefined;
      // A heartbeat is also where the activity learns that its attempt is no longer wanted.
      return write.then(() => this.abortUnwanted([task.id])).catch(() => {});
    };
    const ctx: ActivityContext = {
      attempt,
      signal: controller.signal,
      heartbeat: (details?: unknown) => {
        if (details !== undefined) unwritten = { details };
        const wait = lastBeat + this.options.leaseMs / 10 - Date.now();
        if (wait <= 0) {
          clearTimeout(trailing);
          trailing = undefined;
          void beat();
        } else if (unwritten && !trailing) {
          trailing = setTimeout(() => {
            trailing = undefined;
            if (this.running.has(task.id)) void beat();
          }, wait);
        }
      },
      ...(task.heartbeat === null ? {} : { heartbeatDetails: this.codec.decode(task.heartbeat) }),
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
      clearTimeout(trailing);
      if (unwritten) await beat();
    }
  }
}

/**
 * Where a run loaded from the database waits, from its history: the command it waits on, since
 * that command was recorded (or since the run started, for a run retried from that step, whose
 * history keeps the times of the failed run's), retrying if its last attempt failed and will be
 * tried again. Undefined when it waits on nothing recorded yet.
 */
function waitInHistory(exec: WorkflowExecution, run: RunRow, history: RecordedEvent[]): CachedRun["wait"] {
  const w = exec.closed ? undefined : exec.waitingOn;
  if (!w) return undefined;
  let command: RecordedEvent | undefined;
  let retrying = false;
  for (const e of history) {
    if (!("cmd" in e) || e.cmd !== w.cmd) continue;
    if (e.type === w.type) command = e;
    else if (e.type === "ActivityFailed") retrying = e.nextAttemptAt !== undefined;
  }
  return command === undefined ? undefined : { cmd: w.cmd, nodeId: w.nodeId, kind: WAIT_KINDS[w.type], since: Math.max(command.at, run.startedAt), retrying, seq: command.seq };
}

/** What a run waits for, by the command it waits on (the runs' wait_kind). */
const WAIT_KINDS = { ActivityScheduled: "activity", TimerStarted: "timer", ApprovalRequested: "approval", SignalWaitStarted: "signal" } as const;

function errorInfo(err: unknown): ErrorInfo {
  const e = err as { type?: unknown; name?: unknown; message?: unknown };
  const type = typeof e?.type === "string" ? e.type : typeof e?.name === "string" ? e.name : "Error";
  return { type, message: typeof e?.message === "string" ? e.message : String(err) };
}

