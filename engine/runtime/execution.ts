// One run of a workflow function, driven by its history. This is the pure core the worker calls
// (the shape of Temporal's worker interface: activate with new events, get commands back):
// no I/O, no clock, no randomness of its own. Time inside the run is the time of the last event
// the code has seen, so a replay sees exactly the times the first execution saw.
//
// Workflow code is sequential (each context call is awaited before the next), so at any moment
// the run waits for at most one effect: `pending`.

import { parseDuration } from "../../compiler/durations.ts";
import type { CommandEvent, CommandRef, Divergence, ErrorInfo, HistoryEvent, RecordedEvent, ResolutionEvent } from "./events.ts";
import { commandRef, isCommandEvent, isResolution } from "./events.ts";
import { addDuration, startOfNextMonth } from "./helpers.ts";
import type {
  ApprovalDecision,
  ApprovalOutcome,
  ApprovalRequest,
  ExpressionHelpers,
  SignalOutcome,
  StepOptions,
  StepOutcome,
  WorkflowContext,
  WorkflowInfo,
  WorkflowOutcome,
} from "./workflow-api.ts";

export type WorkflowFunction = (ctx: WorkflowContext, input: any) => Promise<WorkflowOutcome>;

/**
 * A replay that disagrees with the history: a value with a code and what is wrong (Divergence:
 * `nodeId`, the node where the code and the history part, where a held run is held and which a
 * compatibility check names; the history event there; the command recorded and the one the
 * code issues now), and a message for developers that names them all.
 */
export class NonDeterminismError extends Error {
  readonly type = "NonDeterminismError";
  readonly code: Divergence["code"];
  readonly nodeId?: string;
  readonly seq?: number;
  readonly expected?: CommandRef;
  readonly actual?: CommandRef;
  constructor(message: string, divergence: Divergence) {
    super(message);
    this.name = "NonDeterminismError";
    this.code = divergence.code;
    if (divergence.nodeId !== undefined) this.nodeId = divergence.nodeId;
    if (divergence.seq !== undefined) this.seq = divergence.seq;
    if (divergence.expected) this.expected = divergence.expected;
    if (divergence.actual) this.actual = divergence.actual;
  }

  /** Its fields as a plain value (what a held run keeps). */
  get divergence(): Divergence {
    return {
      code: this.code,
      ...(this.nodeId === undefined ? {} : { nodeId: this.nodeId }),
      ...(this.seq === undefined ? {} : { seq: this.seq }),
      ...(this.expected ? { expected: this.expected } : {}),
      ...(this.actual ? { actual: this.actual } : {}),
    };
  }
}

/** Thrown into the workflow when a step without an error edge fails for good. */
export class StepFailedError extends Error {
  constructor(readonly info: ErrorInfo & { nodeId: string }) {
    super(info.message);
    this.name = info.type;
  }
}

/** A bound on history length past which a loop's back edge continues the run as new. */
export const DEFAULT_HISTORY_LIMIT = 2000;

interface Pending {
  command: CommandEvent;
  /** Whether this command was already in the history (replay) or is new. */
  recorded: boolean;
  resolve(event: ResolutionEvent & { at: number; seq: number }): void;
}

export interface ExecutionOptions {
  /** Lets microtasks run until the workflow code has nothing left to do but wait. */
  drain: () => Promise<void>;
  /**
   * Called just before the workflow code runs on: the worker points the sandbox's Date and
   * Math.random at this run there (compiled modules read neither; hand-written ones might).
   */
  onResume?: (execution: WorkflowExecution) => void;
  historyLimit?: number;
}

export class WorkflowExecution {
  private readonly commands = new Map<number, CommandEvent & { seq: number }>();
  private readonly resolutions = new Map<number, ResolutionEvent & { at: number; seq: number }>();
  private nextCmd = 1;
  private clock: number;
  private pending: Pending | undefined;
  private started = false;
  private finished: { outcome: WorkflowOutcome } | { error: unknown } | undefined;
  private closeIssued = false;
  private continueAsNew: { at: string; vars: Record<string, unknown> } | undefined;
  private readVariables: () => Record<string, unknown> = () => ({});
  /**
   * The history's length where the code is: the seq of the last event it was given (1, the
   * start, until its first call resolves). The same on a first execution and on a replay (which
   * is given the whole history before the code runs).
   */
  private reached = 1;
  /** Seq of the last event applied. */
  lastSeq = 0;
  private infoObject: WorkflowInfo | undefined;

  constructor(
    private readonly fn: WorkflowFunction,
    private readonly startEvent: Extract<HistoryEvent, { type: "WorkflowStarted" }> & { at: number; seq: number },
    private readonly options: ExecutionOptions,
  ) {
    this.clock = startEvent.at;
  }

  /** The run's deterministic clock (epoch ms): the time of the last event the code has seen. */
  get now(): number {
    return this.clock;
  }

  get runId(): string {
    return this.startEvent.runId;
  }

  /** When the first run of this workflow id started (carried over by continue-as-new). */
  get firstStartedAt(): number {
    return this.startEvent.firstStartedAt;
  }

  /** The node the run waits at, with what it waits for, if it waits. */
  get waitingOn(): CommandEvent | undefined {
    return this.pending?.command;
  }

  get closed(): boolean {
    return this.closeIssued;
  }

  /**
   * The non-determinism error the code ran into, if it did: its code no longer replays its
   * history. The worker holds such a run instead of recording the failure (worker/hold.ts).
   */
  get nonDeterminism(): NonDeterminismError | undefined {
    const f = this.finished;
    return f !== undefined && "error" in f && f.error instanceof NonDeterminismError ? f.error : undefined;
  }

  variables(): Record<string, unknown> {
    try {
      return structuredCloneSafe(this.readVariables());
    } catch {
      return {};
    }
  }

  /**
   * Applies events appended to the history (all of it on replay, or the new ones), runs the
   * code as far as it can go, and returns the events the code asks to append: new commands,
   * and the run's end when it ends.
   */
  async activate(events: RecordedEvent[]): Promise<HistoryEvent[]> {
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      if (e.type === "WorkflowStarted") continue;
      if (isCommandEvent(e)) this.commands.set(e.cmd, e);
      else if (isResolution(e)) this.resolutions.set(e.cmd, e);
      else if (e.type === "WorkflowCompleted" || e.type === "WorkflowFailed" || e.type === "ContinuedAsNew") this.closeIssued = true;
    }
    return this.run();
  }

  private async run(): Promise<HistoryEvent[]> {
    const out: HistoryEvent[] = [];
    if (!this.started) {
      this.started = true;
      const ctx = new RunContext(this);
      this.options.onResume?.(this);
      Promise.resolve()
        .then(() => this.fn(ctx, this.startEvent.input))
        .then(
          (outcome) => (this.finished = { outcome }),
          (error) => (this.finished = { error }),
        );
    }
    for (;;) {
      await this.options.drain();
      if (this.finished || this.continueAsNew) {
        const unissued = [...this.commands.values()].find((e) => e.cmd >= this.nextCmd);
        // A divergence the code already ran into (a command that disagrees with the history)
        // is the precise report: keep it rather than naming a later command it never reached.
        const diverged = this.finished !== undefined && "error" in this.finished && this.finished.error instanceof NonDeterminismError;
        if (unissued && !this.closeIssued && !diverged) {
          this.finished = {
            error: new NonDeterminismError(`history event ${unissued.seq} is ${describe(unissued)}, but the workflow code ends before issuing it`, {
              code: "COMMAND_NOT_ISSUED",
              nodeId: unissued.nodeId,
              seq: unissued.seq,
              expected: commandRef(unissued),
            }),
          };
          this.continueAsNew = undefined;
        }
        if (!this.closeIssued) {
          this.closeIssued = true;
          out.push(this.closingEvent());
        }
        return out;
      }
      const pending = this.pending;
      if (!pending) {
        // The code awaits something that is not the engine's: it can never go on.
        this.finished = { error: new Error("workflow code awaited something other than the engine's context") };
        continue;
      }
      const resolution = this.resolutions.get(pending.command.cmd);
      if (!resolution) {
        if (!pending.recorded) {
          pending.recorded = true;
          out.push(pending.command);
        }
        return out;
      }
      this.pending = undefined;
      this.clock = resolution.at;
      this.reached = resolution.seq;
      pending.resolve(resolution);
    }
  }

  private closingEvent(): HistoryEvent {
    if (this.continueAsNew) return { type: "ContinuedAsNew", loopHead: this.continueAsNew.at, newRunId: "" };
    const f = this.finished!;
    if ("outcome" in f) {
      const o = f.outcome;
      if (o?.status === "completed") return { type: "WorkflowCompleted", nodeId: o.nodeId, result: o.result ?? null };
      if (o?.status === "failed") return { type: "WorkflowFailed", nodeId: o.nodeId, error: o.error };
      return { type: "WorkflowFailed", error: { type: "InvalidOutcome", message: "the workflow function returned something other than ctx.complete() or ctx.fail()" } };
    }
    const err = f.error;
    if (err instanceof StepFailedError) return { type: "WorkflowFailed", nodeId: err.info.nodeId, error: { type: err.info.type, message: err.info.message } };
    if (err instanceof NonDeterminismError) return { type: "WorkflowFailed", error: { type: err.type, message: err.message } };
    const e = err as { name?: string; message?: string };
    return {
      type: "WorkflowFailed",
      nodeId: this.pending?.command.nodeId,
      error: { type: e?.name ?? "Error", message: e?.message ?? String(err) },
    };
  }

  /** Every effect of the code goes through here, in call order. */
  private effect<T>(command: CommandEvent, map: (r: ResolutionEvent & { at: number; seq: number }) => T | Promise<T>): Promise<T> {
    if (this.pending) throw new Error("workflow code called the engine while waiting for another call: await each call");
    const recorded = this.commands.get(command.cmd);
    if (recorded && !sameCommand(recorded, command)) {
      throw new NonDeterminismError(
        `history event ${recorded.seq} is ${describe(recorded)}, but the workflow code now issues ${describe(command)} at that point: ` +
          "the module changed under a running workflow. Deploy a new version for new runs instead.",
        { code: "COMMAND_CHANGED", nodeId: recorded.nodeId, seq: recorded.seq, expected: commandRef(recorded), actual: commandRef(command) },
      );
    }
    if (!recorded && this.commands.size >= command.cmd && [...this.resolutions.keys()].some((k) => k >= command.cmd)) {
      throw new NonDeterminismError(`the history has no command ${command.cmd} (${describe(command)})`, {
        code: "COMMAND_NOT_RECORDED",
        nodeId: command.nodeId,
        // The event the code reached when it issued it: the history goes on from there without it.
        seq: this.reached,
        actual: commandRef(command),
      });
    }
    return new Promise<T>((resolve, reject) => {
      this.pending = {
        command,
        recorded: recorded !== undefined,
        resolve: (r) => {
          try {
            Promise.resolve(map(r)).then(resolve, reject);
          } catch (err) {
            reject(err);
          }
        },
      };
    });
  }

  private dueIn(duration: string | undefined): number | undefined {
    if (duration === undefined) return undefined;
    const ms = parseDuration(duration);
    if (ms === undefined) throw new RangeError(`"${duration}" is not a duration`);
    return this.clock + ms;
  }

  // What the run's context (RunContext, below) does: one method per effect.

  /** @internal */
  activity(nodeId: string, name: string, input: unknown, options: StepOptions | undefined, canFail: boolean): Promise<StepOutcome> {
    return this.effect<StepOutcome>(
      { type: "ActivityScheduled", cmd: this.nextCmd++, nodeId, activity: name, input: input ?? null, options: options ?? {}, canFail },
      (r) => {
        if (r.type === "ActivityCompleted") return { ok: true, result: r.result };
        if (r.type === "ActivityFailed") return { ok: false, error: { ...r.error, attempt: r.attempt } };
        throw new NonDeterminismError(`step ${nodeId} was resolved by ${r.type}`, { code: "RESOLVED_OTHERWISE", nodeId, seq: r.seq, expected: { type: "ActivityScheduled", nodeId, activity: name } });
      },
    );
  }

  /** @internal */
  timer(nodeId: string, dueAt: number): Promise<void> {
    return this.effect({ type: "TimerStarted", cmd: this.nextCmd++, nodeId, dueAt }, () => undefined);
  }

  /** @internal */
  sleep(nodeId: string, duration: string): Promise<void> {
    return this.timer(nodeId, this.dueIn(duration)!);
  }

  /** @internal */
  approval(nodeId: string, request: ApprovalRequest): Promise<ApprovalOutcome> {
    return this.effect<ApprovalOutcome>(
      {
        type: "ApprovalRequested",
        cmd: this.nextCmd++,
        nodeId,
        title: request.title,
        message: request.message,
        assignees: request.assignees,
        dueAt: this.dueIn(request.timeout),
        // Recorded only when asked for, so that the histories of other approvals stay as they were.
        ...(request.quorum !== undefined && request.quorum > 1 ? { quorum: request.quorum } : {}),
        ...(request.notStarter === true ? { notStarter: true } : {}),
      },
      (r) => {
        if (r.type === "WaitTimedOut") return { outcome: "timeout" };
        if (r.type !== "SignalReceived") throw new NonDeterminismError(`approval ${nodeId} was resolved by ${r.type}`, { code: "RESOLVED_OTHERWISE", nodeId, seq: r.seq, expected: { type: "ApprovalRequested", nodeId } });
        const p = (r.payload ?? {}) as { by?: string; comment?: string; approvals?: ApprovalDecision["approvals"] };
        const approved = r.signal === "approve";
        return {
          outcome: approved ? "approved" : "declined",
          decision: {
            approved,
            by: p.by ?? "unknown",
            ...(p.comment === undefined ? {} : { comment: p.comment }),
            at: new Date(r.at).toISOString(),
            ...(p.approvals === undefined ? {} : { approvals: p.approvals }),
          },
        };
      },
    );
  }

  /** @internal */
  signal(nodeId: string, name: string, timeout?: string): Promise<SignalOutcome> {
    return this.effect({ type: "SignalWaitStarted", cmd: this.nextCmd++, nodeId, signal: name, dueAt: this.dueIn(timeout) }, (r) =>
      r.type === "SignalReceived" ? { received: true, payload: r.payload } : { received: false },
    );
  }

  /** @internal */
  async loop(loopHead: string): Promise<void> {
    // Decided on the length the history had when the code got here, so that a replay of the
    // whole history decides as the first execution did.
    if (this.reached < (this.options.historyLimit ?? DEFAULT_HISTORY_LIMIT)) return;
    this.continueAsNew = { at: loopHead, vars: structuredCloneSafe(this.readVariables()) };
    await new Promise<never>(() => {});
  }

  /** @internal */
  exposeVariables(read: () => Record<string, unknown>): void {
    this.readVariables = read;
  }

  /** @internal The run's identity, for `ctx.workflow`. */
  get info(): WorkflowInfo {
    return (this.infoObject ??= new RunInfo(this));
  }

  /** @internal */
  get start(): Extract<HistoryEvent, { type: "WorkflowStarted" }> {
    return this.startEvent;
  }

  /** The variables carried into the next run when this one continued as new. */
  get carried(): { at: string; vars: Record<string, unknown> } | undefined {
    return this.continueAsNew;
  }
}

const HELPERS: ExpressionHelpers = Object.freeze({ addDuration, startOfNextMonth });

/**
 * What workflow code calls: a thin object over its execution, with its methods on the
 * prototype. A run parked in memory keeps one of these, not a closure per method.
 */
class RunContext implements WorkflowContext {
  readonly helpers = HELPERS;
  constructor(private readonly x: WorkflowExecution) {}

  get workflow(): WorkflowInfo {
    return this.x.info;
  }
  get continuedAt(): string | undefined {
    return this.x.start.continuedAt;
  }
  get carried(): Readonly<Record<string, any>> {
    return this.x.start.carried ?? {};
  }
  async step(nodeId: string, name: string, input: unknown, options?: StepOptions): Promise<any> {
    const outcome = await this.x.activity(nodeId, name, input, options, false);
    if (outcome.ok) return outcome.result;
    throw new StepFailedError({ nodeId, type: outcome.error.type, message: outcome.error.message });
  }
  tryStep(nodeId: string, name: string, input: unknown, options?: StepOptions): Promise<StepOutcome> {
    return this.x.activity(nodeId, name, input, options, true);
  }
  sleep(nodeId: string, duration: string): Promise<void> {
    return this.x.sleep(nodeId, duration);
  }
  sleepUntil(nodeId: string, at: string | number): Promise<void> {
    const due = typeof at === "number" ? at : Date.parse(at);
    if (Number.isNaN(due)) throw new RangeError(`timer ${nodeId}: "${String(at)}" is not a date-time or epoch milliseconds`);
    return this.x.timer(nodeId, due);
  }
  approval(nodeId: string, request: ApprovalRequest): Promise<any> {
    return this.x.approval(nodeId, request);
  }
  async signal(nodeId: string, name: string): Promise<any> {
    const outcome = await this.x.signal(nodeId, name);
    return outcome.received ? outcome.payload : undefined;
  }
  signalOrTimeout(nodeId: string, name: string, timeout: string): Promise<SignalOutcome> {
    return this.x.signal(nodeId, name, timeout);
  }
  loop(loopHead: string): Promise<void> {
    return this.x.loop(loopHead);
  }
  exposeVariables(read: () => Record<string, unknown>): void {
    this.x.exposeVariables(read);
  }
  complete(nodeId: string, result?: unknown): WorkflowOutcome {
    return { status: "completed", nodeId, result };
  }
  fail(nodeId: string, message?: unknown): WorkflowOutcome {
    return {
      status: "failed",
      nodeId,
      error: { type: "WorkflowFailed", message: message === undefined ? `the workflow ended at "${nodeId}"` : String(message) },
    };
  }
}

/** `ctx.workflow`: `now` is the run's deterministic clock. */
class RunInfo implements WorkflowInfo {
  readonly id: string;
  readonly runId: string;
  readonly startedAt: string;
  constructor(private readonly x: WorkflowExecution) {
    this.id = x.start.workflowId;
    this.runId = x.start.runId;
    this.startedAt = new Date(x.start.firstStartedAt).toISOString();
  }
  get now(): string {
    return new Date(this.x.now).toISOString();
  }
}

function sameCommand(a: CommandEvent, b: CommandEvent): boolean {
  if (a.type !== b.type || a.nodeId !== b.nodeId) return false;
  if (a.type === "ActivityScheduled" && b.type === "ActivityScheduled") return a.activity === b.activity;
  if (a.type === "SignalWaitStarted" && b.type === "SignalWaitStarted") return a.signal === b.signal;
  return true;
}

function describe(c: CommandEvent): string {
  switch (c.type) {
    case "ActivityScheduled":
      return `ActivityScheduled(node "${c.nodeId}", activity "${c.activity}")`;
    case "TimerStarted":
      return `TimerStarted(node "${c.nodeId}")`;
    case "ApprovalRequested":
      return `ApprovalRequested(node "${c.nodeId}")`;
    case "SignalWaitStarted":
      return `SignalWaitStarted(node "${c.nodeId}", signal "${c.signal}")`;
  }
}

function structuredCloneSafe<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
