// The history of a run: every decision, appended before it takes effect. Command events record
// what the workflow code asked for (numbered by `cmd`, the order of its calls to the context);
// resolution events record what happened to a command. Replay matches the code's calls against
// the command events and feeds the resolutions back.
//
// Who did it: events record the person who started, retried, signalled, decided, cancelled or
// terminated a run (a name: the app's signed-in caller, or the command's --by or $USER), as
// `startedBy` and `retriedBy` on WorkflowStarted, and `by` on SignalReceived, WorkflowCancelled
// and WorkflowTerminated. Replay reads none of them.
//
// On which code: a closing event of a run that a version declared compatible with its own took
// over carries `version`, the version whose code the run was on when it ended (its own: no
// `version`). Replay reads it neither.

import type { StepOptions } from "../runtime/workflow-api.ts";

export interface ErrorInfo {
  type: string;
  message: string;
}

export type HistoryEvent =
  | {
      type: "WorkflowStarted";
      workflowId: string;
      runId: string;
      name: string;
      version: number;
      hash: string;
      input: unknown;
      /** When the first run of this workflow id started (epoch ms). */
      firstStartedAt: number;
      /** Set when this run continues an earlier one as new. */
      continuedAt?: string;
      carried?: Record<string, unknown>;
      continuedFromRunId?: string;
      /** Set when this run retries a failed one from the step it failed at (engine.retry). */
      retriedFromRunId?: string;
      /** Who started the run (engine.start's `by`); a retried or continued run keeps the first's. */
      startedBy?: string;
      /** Who retried it (engine.retry's `by`), on the new run's WorkflowStarted. */
      retriedBy?: string;
    }
  | { type: "ActivityScheduled"; cmd: number; nodeId: string; activity: string; input: unknown; options: StepOptions; canFail: boolean }
  /**
   * An attempt of a step began (`startedAt`, epoch ms) on `worker`. Appended with the attempt's
   * outcome, in the same commit, as Temporal records a retried activity's start: a start of its
   * own would cost every step a second commit. Replay reads nothing from it.
   */
  | { type: "ActivityStarted"; cmd: number; nodeId: string; attempt: number; startedAt: number; worker: string }
  | { type: "ActivityCompleted"; cmd: number; nodeId: string; attempt: number; result: unknown }
  /** `nextAttemptAt` set: the step will be tried again; unset: it failed for good. */
  | { type: "ActivityFailed"; cmd: number; nodeId: string; attempt: number; error: ErrorInfo; nextAttemptAt?: number }
  | { type: "TimerStarted"; cmd: number; nodeId: string; dueAt: number }
  | { type: "TimerFired"; cmd: number; nodeId: string }
  /** `quorum`: distinct approvers needed (absent: 1); `notStarter`: the run's starter may not decide. */
  | { type: "ApprovalRequested"; cmd: number; nodeId: string; title?: unknown; message?: unknown; assignees?: string[]; dueAt?: number; quorum?: number; notStarter?: boolean }
  | { type: "SignalWaitStarted"; cmd: number; nodeId: string; signal: string; dueAt?: number }
  /**
   * A signal taken by the wait `cmd` (approvals: signal "approve" or "decline", whose payload is
   * `{ nodeId, by, comment }`); `by`: who sent it, when known.
   */
  | { type: "SignalReceived"; cmd: number; nodeId: string; signal: string; payload: unknown; signalId?: number; by?: string }
  | { type: "WaitTimedOut"; cmd: number; nodeId: string }
  | { type: "ContinuedAsNew"; loopHead: string; newRunId: string }
  | { type: "WorkflowCompleted"; nodeId: string; result: unknown; version?: number }
  | { type: "WorkflowFailed"; nodeId?: string; error: ErrorInfo; version?: number }
  | { type: "WorkflowCancelled"; reason?: string; by?: string; version?: number }
  | { type: "WorkflowTerminated"; reason?: string; by?: string; version?: number };

export type EventType = HistoryEvent["type"];

/** An event as stored: its place in the history and when it was appended. */
export type RecordedEvent = HistoryEvent & { seq: number; at: number };

export type CommandEvent = Extract<HistoryEvent, { type: "ActivityScheduled" | "TimerStarted" | "ApprovalRequested" | "SignalWaitStarted" }>;
export type ResolutionEvent = Extract<HistoryEvent, { type: "ActivityCompleted" | "ActivityFailed" | "TimerFired" | "SignalReceived" | "WaitTimedOut" }>;
export type ClosingEvent = Extract<HistoryEvent, { type: "WorkflowCompleted" | "WorkflowFailed" | "WorkflowCancelled" | "WorkflowTerminated" | "ContinuedAsNew" }>;

/** A command as a divergence names it: what kind it is, at which node, calling what. */
export interface CommandRef {
  type: CommandEvent["type"];
  nodeId: string;
  /** A step's activity. */
  activity?: string;
  /** A signal wait's signal. */
  signal?: string;
}

/**
 * Where and how a replay parts from the history (a NonDeterminismError's fields, kept with a
 * held run): a code, the node (`nodeId`), the history event there (`seq`), what the history
 * recorded there (`expected`) and what the code does there now (`actual`).
 * - COMMAND_CHANGED: the code issues another command than the one recorded (both given).
 * - COMMAND_NOT_RECORDED: the code issues a command where the history has none (`actual`).
 * - COMMAND_NOT_ISSUED: the code ends before issuing a recorded command (`expected`).
 * - RESOLVED_OTHERWISE: a recorded command was resolved by an event its code cannot take (`expected`).
 */
export interface Divergence {
  code: "COMMAND_CHANGED" | "COMMAND_NOT_RECORDED" | "COMMAND_NOT_ISSUED" | "RESOLVED_OTHERWISE";
  nodeId?: string;
  seq?: number;
  expected?: CommandRef;
  actual?: CommandRef;
}

/** What a divergence names of `c`. */
export function commandRef(c: CommandEvent): CommandRef {
  return {
    type: c.type,
    nodeId: c.nodeId,
    ...(c.type === "ActivityScheduled" ? { activity: c.activity } : {}),
    ...(c.type === "SignalWaitStarted" ? { signal: c.signal } : {}),
  };
}

export function isCommandEvent(e: HistoryEvent): e is CommandEvent {
  return e.type === "ActivityScheduled" || e.type === "TimerStarted" || e.type === "ApprovalRequested" || e.type === "SignalWaitStarted";
}

export function isResolution(e: HistoryEvent): e is ResolutionEvent {
  switch (e.type) {
    case "ActivityCompleted":
    case "TimerFired":
    case "SignalReceived":
    case "WaitTimedOut":
      return true;
    case "ActivityFailed":
      return e.nextAttemptAt === undefined;
    default:
      return false;
  }
}

export function isClosing(e: HistoryEvent): e is ClosingEvent {
  return (
    e.type === "WorkflowCompleted" ||
    e.type === "WorkflowFailed" ||
    e.type === "WorkflowCancelled" ||
    e.type === "WorkflowTerminated" ||
    e.type === "ContinuedAsNew"
  );
}

/** The node an event concerns, for painting runs onto the drawing. */
export function nodeOf(e: HistoryEvent): string | undefined {
  return "nodeId" in e ? e.nodeId : undefined;
}
