// Held runs. A run whose code no longer replays its history (a NonDeterminismError: the code
// of its version, or of a version declared compatible with it, issues other commands than the
// history recorded) is held, not failed: failing it would be for good (`weft retry` replays
// the same code), while the fault is in a deploy that can be put right. It stays "running",
// describe says where and why (run.held_*), and it resumes when a version it replays on is
// deployed `--compatible-with` its own (Engine.deploy wakes it). Temporal blocks a workflow
// task that fails the same way, and retries it on a new deploy.
//
// What happens meanwhile is recorded without running the code, since it does not depend on
// it: an activity's outcome (its attempt ran; a retry follows the step's policy), a timer
// firing, a wait timing out, each for a command the history has and has not resolved. Signals
// and decisions stay in the inbox. So a run resumed later finds every fact it would have had.

import type { PayloadCodec } from "../codec.ts";
import { appendEvents, SeqConflict } from "../history-store.ts";
import { setHold, type RunHold } from "../run-store.ts";
import { isCommandEvent, isResolution, type CommandEvent, type ErrorInfo, type HistoryEvent, type RecordedEvent } from "../runtime/events.ts";
import type { NonDeterminismError, WorkflowExecution } from "../runtime/execution.ts";
import type { SqlExecutor } from "../storage/types.ts";
import { completeTask, rescheduleTask } from "../task-store.ts";
import { LeaseLost } from "./write-set.ts";

/** A replay that broke: the error, and the commands the history has not resolved yet. */
export interface BrokenReplay {
  error: NonDeterminismError;
  open: Map<number, CommandEvent>;
}

/** Whether the replay of `history` on `exec` broke (the run must be held), and what the history leaves open. */
export function brokenReplay(exec: WorkflowExecution, history: RecordedEvent[]): BrokenReplay | undefined {
  const error = exec.nonDeterminism;
  if (!error) return undefined;
  const open = new Map<number, CommandEvent>();
  for (const e of history) {
    if (isCommandEvent(e)) open.set(e.cmd, e);
    else if (isResolution(e)) open.delete(e.cmd);
  }
  return { error, open };
}

/** What brings a worker to a run (worker.ts's Trigger), here to a held one. */
export type HeldTrigger =
  | { kind: "wake"; taskId?: number }
  | { kind: "timer"; taskId: number; cmd: number }
  | {
      kind: "activity";
      taskId: number;
      cmd: number;
      nodeId: string;
      attempt: number;
      startedAt: number;
      outcome: { ok: true; result: unknown } | { ok: false; error: ErrorInfo; retryAt?: number };
      /** The attempt was lost with this worker: no start of it is known. */
      lostBy?: string;
    };

/**
 * The events that record `trigger` for a held run, from its history alone: an activity's
 * attempt and outcome, a timer fired or a wait timed out, for a command still open; nothing
 * otherwise. `reschedule`: the step's next attempt, when its policy retries.
 */
export function heldEvents(broken: BrokenReplay, trigger: HeldTrigger, worker: string): { events: HistoryEvent[]; reschedule?: { dueAt: number; attempt: number } } {
  if (trigger.kind === "wake") return { events: [] };
  const command = broken.open.get(trigger.cmd);
  if (trigger.kind === "timer") {
    if (command?.type === "TimerStarted") return { events: [{ type: "TimerFired", cmd: command.cmd, nodeId: command.nodeId }] };
    if ((command?.type === "ApprovalRequested" || command?.type === "SignalWaitStarted") && command.dueAt !== undefined) {
      return { events: [{ type: "WaitTimedOut", cmd: command.cmd, nodeId: command.nodeId }] };
    }
    return { events: [] };
  }
  if (command?.type !== "ActivityScheduled") return { events: [] };
  const { cmd, nodeId, attempt, outcome } = trigger;
  const events: HistoryEvent[] = [];
  if (trigger.lostBy === undefined) events.push({ type: "ActivityStarted", cmd, nodeId, attempt, startedAt: trigger.startedAt, worker });
  if (outcome.ok) {
    events.push({ type: "ActivityCompleted", cmd, nodeId, attempt, result: outcome.result ?? null });
    return { events };
  }
  if (outcome.retryAt !== undefined) {
    events.push({ type: "ActivityFailed", cmd, nodeId, attempt, error: outcome.error, nextAttemptAt: outcome.retryAt });
    return { events, reschedule: { dueAt: outcome.retryAt, attempt: attempt + 1 } };
  }
  events.push({ type: "ActivityFailed", cmd, nodeId, attempt, error: outcome.error });
  return { events };
}

/**
 * Holds a run, in the caller's transaction (a custom unit of the worker's group commit): the
 * trigger's task completed or rescheduled (only if this worker still holds it: LeaseLost), the
 * events appended where the run is (SeqConflict if it moved on), the run marked held.
 */
export async function applyHold(
  tx: SqlExecutor,
  codec: PayloadCodec,
  h: {
    runId: string;
    expectedSeq: number;
    at: number;
    events: HistoryEvent[];
    task?: { id: number; owner: string; reschedule?: { dueAt: number; attempt: number } };
    hold: RunHold;
  },
): Promise<void> {
  if (h.task) {
    const ok = h.task.reschedule
      ? await rescheduleTask(tx, h.task.id, h.task.owner, h.task.reschedule.dueAt, h.task.reschedule.attempt)
      : await completeTask(tx, h.task.id, h.task.owner);
    if (!ok) throw new LeaseLost(h.task.id);
  }
  if (h.events.length > 0) {
    await appendEvents(tx, codec, h.runId, h.expectedSeq, h.events, h.at);
  } else if ((await tx.execute("UPDATE run SET next_seq = next_seq WHERE run_id = ? AND next_seq = ?", [h.runId, h.expectedSeq])) !== 1) {
    throw new SeqConflict(h.runId);
  }
  await setHold(tx, h.runId, h.hold);
}
