// The interface a compiled workflow module is written against. The compiler emits code that
// calls these methods and nothing else; the engine implements them (engine/runtime/), recording
// every effect in the run's history so that a replay feeds the same answers back.
//
// Everything here is types only: a compiled module imports it with `import type`, so the module
// carries no runtime dependency on Weft.

export interface RetryOptions {
  /** Duration before the second attempt, e.g. "1s". Default "1s". */
  initialInterval?: string;
  /** Multiplier applied to the interval after each attempt. Default 2. */
  backoffCoefficient?: number;
  /** Upper bound on the interval. Default 100 × initialInterval. */
  maximumInterval?: string;
  /** Total attempts allowed; 0 = unlimited. Default 0. */
  maximumAttempts?: number;
  /** Error types (err.type ?? err.name) that fail the step at once. */
  nonRetryableErrors?: string[];
}

export interface StepOptions {
  /** Start-to-close timeout of one attempt, e.g. "10s". Default "5m". */
  timeout?: string;
  retry?: RetryOptions;
}

/** Why a step failed for good. */
export interface StepFailure {
  type: string;
  message: string;
  attempt: number;
}

export type StepOutcome<T = any> = { ok: true; result: T } | { ok: false; error: StepFailure };

export interface ApprovalRequest {
  title?: unknown;
  message?: unknown;
  assignees?: string[];
  /** How long to wait for a decision; without it the approval waits for ever. */
  timeout?: string;
  /** How many distinct people must approve (default 1); one decline declines. */
  quorum?: number;
  /** When true, the person who started the run may not decide it. */
  notStarter?: boolean;
}

export interface ApprovalDecision {
  approved: boolean;
  /** Who decided: the one who declined, or the approver who completed the quorum. */
  by: string;
  comment?: string;
  at: string;
  /** With a quorum: every approval, in order (the decline, if any, is not one). */
  approvals?: { by: string; comment?: string; at: string }[];
}

export type ApprovalOutcome =
  | { outcome: "approved" | "declined"; decision: ApprovalDecision }
  | { outcome: "timeout" };

export type SignalOutcome<T = any> = { received: true; payload: T } | { received: false };

/** What the drawing's expressions see as `workflow`. */
export interface WorkflowInfo {
  readonly id: string;
  readonly runId: string;
  /** ISO date-time at which the first run of this workflow id started. */
  readonly startedAt: string;
  /** ISO date-time of the engine's deterministic clock at this point of the run. */
  readonly now: string;
}

/** The pure date helpers expressions may call (UTC, ISO date-times in and out). */
export interface ExpressionHelpers {
  addDuration(at: string, duration: string): string;
  startOfNextMonth(at: string): string;
}

/** How a run ends: returned by the workflow function. */
export type WorkflowOutcome =
  | { status: "completed"; nodeId: string; result: unknown }
  | { status: "failed"; nodeId: string; error: { type: string; message: string } };

export interface WorkflowContext {
  readonly workflow: WorkflowInfo;
  readonly helpers: ExpressionHelpers;

  /**
   * The loop head this run was continued at (continue-as-new), or undefined for a fresh run.
   * A continued run skips the code before that loop and takes its variables from `carried`.
   */
  readonly continuedAt: string | undefined;
  /** The variables carried over from the run this one continues. */
  readonly carried: Readonly<Record<string, any>>;

  /** Run an activity with retries; if it fails for good, the run fails with its error. */
  step(nodeId: string, activity: string, input: unknown, options?: StepOptions): Promise<any>;
  /** Run an activity with retries; a failure for good is returned, for steps with an error edge. */
  tryStep(nodeId: string, activity: string, input: unknown, options?: StepOptions): Promise<StepOutcome>;

  /** A durable timer for a duration such as "7d". */
  sleep(nodeId: string, duration: string): Promise<void>;
  /** A durable timer until an ISO date-time or epoch milliseconds. */
  sleepUntil(nodeId: string, at: string | number): Promise<void>;

  /** Wait for the `approve` or `decline` signal addressed to this node, for at most `timeout`. */
  approval(nodeId: string, request: ApprovalRequest & { timeout: string }): Promise<ApprovalOutcome>;
  /** Wait for the `approve` or `decline` signal addressed to this node. */
  approval(nodeId: string, request: Omit<ApprovalRequest, "timeout">): Promise<Exclude<ApprovalOutcome, { outcome: "timeout" }>>;
  /** Wait for the named signal; resolves with its payload. */
  signal(nodeId: string, name: string): Promise<any>;
  /** Wait for the named signal for at most `timeout`. */
  signalOrTimeout(nodeId: string, name: string, timeout: string): Promise<SignalOutcome>;

  /**
   * Called at a loop's back edge, before going round again. When the run's history has grown
   * past the engine's bound, the run continues as new at `loopHead`, carrying the variables
   * exposed with `exposeVariables` (the promise then never resolves in this run).
   */
  loop(loopHead: string): Promise<void>;

  /** Lets the engine read the run's variables: for the `state` query and continue-as-new. */
  exposeVariables(read: () => Record<string, unknown>): void;

  /** End the run successfully at an end node. */
  complete(nodeId: string, result?: unknown): WorkflowOutcome;
  /** End the run as failed at an end node. */
  fail(nodeId: string, message?: unknown): WorkflowOutcome;
}

/** What a compiled module exports. */
export interface WorkflowModule {
  readonly name: string;
  /** sha256 of the document's semantic content, "sha256:<hex>". */
  readonly hash: string;
  default(ctx: WorkflowContext, input: any): Promise<WorkflowOutcome>;
}
