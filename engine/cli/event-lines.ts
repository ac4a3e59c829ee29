// `weft history` for a person: one line per event, what matters of it first (the node, the
// activity, the attempt, the error), long values cut short. `--json` prints the events whole.

import type { RecordedEvent } from "../runtime/events.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** A JSON value on one line, cut to `max` characters. */
function brief(value: unknown, max = 100): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function details(e: RecordedEvent): string[] {
  switch (e.type) {
    case "WorkflowStarted":
      return [
        `${e.name} v${e.version}`,
        `input ${brief(e.input)}`,
        ...(e.continuedFromRunId ? [`continues run ${e.continuedFromRunId}`] : []),
        ...(e.retriedFromRunId ? [`retries run ${e.retriedFromRunId}`] : []),
      ];
    case "ActivityScheduled":
      return [e.nodeId, e.activity, `input ${brief(e.input)}`];
    case "ActivityStarted":
      return [e.nodeId, `attempt ${e.attempt}`, `started ${iso(e.startedAt)} on ${e.worker}`];
    case "ActivityCompleted":
      return [e.nodeId, `attempt ${e.attempt}`, `result ${brief(e.result)}`];
    case "ActivityFailed":
      return [e.nodeId, `attempt ${e.attempt}`, `${e.error.type}: ${e.error.message}`, e.nextAttemptAt === undefined ? "failed for good" : `next attempt ${iso(e.nextAttemptAt)}`];
    case "TimerStarted":
      return [e.nodeId, `due ${iso(e.dueAt)}`];
    case "TimerFired":
    case "WaitTimedOut":
      return [e.nodeId];
    case "ApprovalRequested":
      return [
        e.nodeId,
        ...(e.title === undefined ? [] : [brief(e.title, 60)]),
        ...(e.assignees?.length ? [`for ${e.assignees.join(", ")}`] : []),
        ...(e.dueAt === undefined ? [] : [`due ${iso(e.dueAt)}`]),
      ];
    case "SignalWaitStarted":
      return [e.nodeId, `signal ${e.signal}`, ...(e.dueAt === undefined ? [] : [`due ${iso(e.dueAt)}`])];
    case "SignalReceived":
      return [e.nodeId, e.signal, `payload ${brief(e.payload)}`];
    case "ContinuedAsNew":
      return [`at ${e.loopHead}`, `new run ${e.newRunId}`];
    case "WorkflowCompleted":
      return [e.nodeId, `result ${brief(e.result)}`];
    case "WorkflowFailed":
      return [...(e.nodeId ? [e.nodeId] : []), `${e.error.type}: ${e.error.message}`];
    case "WorkflowCancelled":
    case "WorkflowTerminated":
      return e.reason ? [e.reason] : [];
  }
}

export function eventLine(e: RecordedEvent): string {
  // An event whose payload this process cannot read (no key, another key): what its row keeps
  // in the clear, and why the rest cannot be shown (codec.ts showingUndecryptable).
  const unreadable = (e as { undecryptable?: unknown }).undecryptable;
  const shown =
    typeof unreadable === "string"
      ? [...("nodeId" in e && e.nodeId ? [e.nodeId] : []), ...("attempt" in e && e.attempt !== undefined ? [`attempt ${e.attempt}`] : []), `(cannot be read: ${unreadable})`]
      : details(e);
  return `${String(e.seq).padStart(4)}  ${iso(e.at)}  ${e.type.padEnd(18)} ${shown.join("  ")}`.trimEnd();
}
