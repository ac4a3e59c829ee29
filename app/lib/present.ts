// How the engine's data reads to a person: values as words, a drawing's nodes by their labels,
// history events as sentences. Plain functions with no React and no I/O, shared by the pages
// (server) and their client components, and by the run views to come.

import type { EventJson, PendingItem, RunStatus } from "../../engine/views.ts";

export const RUN_STATUSES: readonly RunStatus[] = ["running", "completed", "failed", "cancelled", "terminated"];

/** The fields of a workflow document's node that the pages show. */
export interface DocNode {
  id: string;
  type: string;
  label?: string;
  activity?: string;
  title?: unknown;
  duration?: string;
  until?: string;
  signal?: string;
  assignees?: string[];
  status?: string;
}

export interface DocEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string;
}

export interface Drawing {
  name?: string;
  title?: string;
  nodes: DocNode[];
  edges: DocEdge[];
}

/** A stored document as a drawing: what is missing or malformed is left out, never thrown. */
export function drawingOf(document: unknown): Drawing {
  const doc = (document && typeof document === "object" ? document : {}) as Record<string, unknown>;
  const nodes = Array.isArray(doc.nodes) ? doc.nodes.filter((n): n is DocNode => !!n && typeof n === "object" && typeof (n as DocNode).id === "string") : [];
  const edges = Array.isArray(doc.edges) ? doc.edges.filter((e): e is DocEdge => !!e && typeof e === "object" && typeof (e as DocEdge).source === "string") : [];
  return {
    name: typeof doc.name === "string" ? doc.name : undefined,
    title: typeof doc.title === "string" && doc.title.trim() !== "" ? doc.title : undefined,
    nodes,
    edges,
  };
}

/** A node's name on the drawing: its label, its id when it has none (the contract's rule). */
export function nodeLabel(node: DocNode | undefined, id: string): string {
  const label = node?.label?.trim();
  return label ? label : id;
}

const KIND: Record<string, string> = {
  start: "Start",
  step: "Step",
  timer: "Timer",
  approval: "Approval",
  signal: "Signal",
  branch: "Branch",
  end: "End",
  parallel: "Parallel",
  join: "Join",
  wait: "Wait",
  subworkflow: "Sub-workflow",
};

/** What kind of node it is, with its one most telling detail: "Step · bank.transfer". */
export function nodeKind(node: DocNode): string {
  const kind = KIND[node.type] ?? node.type;
  const detail =
    node.type === "step"
      ? node.activity
      : node.type === "timer"
        ? (node.duration ?? (node.until ? "until a time" : undefined))
        : node.type === "approval"
          ? literalText(node.title) ?? (node.assignees?.length ? `by ${node.assignees.join(", ")}` : undefined)
          : node.type === "signal"
            ? node.signal
            : node.type === "end" && node.status === "failed"
              ? "fails the run"
              : undefined;
  return detail ? `${kind} · ${detail}` : kind;
}

/** A document value that is plain text (not an expression), else undefined. */
function literalText(value: unknown): string | undefined {
  return typeof value === "string" && !value.startsWith("=") && value.trim() !== "" ? value : undefined;
}

/** A value as one line of text for a person: strings as they are, others in brief. */
export function textOf(value: unknown, max = 200): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A role or person list in words: "finance", "finance or legal", "ada, fin1 or finance". */
export function orList(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** A part of a sentence: text, or an instant that the page shows in the reader's time zone. */
export type Segment = string | { at: string };

/** What a run waits for at a node, in words. */
export function pendingSentence(item: PendingItem): Segment[] {
  switch (item.kind) {
    case "activity": {
      const out: Segment[] = [item.attempt && item.attempt > 1 ? `Attempt ${item.attempt} of ${item.activity ?? "the step"}` : `Running ${item.activity ?? "the step"}`];
      if (item.lastError) out.push(`; last error: ${item.lastError.type}: ${item.lastError.message}`);
      if (item.nextAttemptAt) out.push("; next attempt at ", { at: item.nextAttemptAt });
      return out;
    }
    case "timer":
      return item.dueAt ? ["Timer due at ", { at: item.dueAt }] : ["Timer set"];
    case "approval": {
      const out: Segment[] = [`Waiting for a decision${item.assignees?.length ? ` by ${orList(item.assignees)}` : ""}`];
      if (item.since) out.push(" since ", { at: item.since });
      if (item.dueAt) out.push("; due ", { at: item.dueAt });
      return out;
    }
    case "signal": {
      const out: Segment[] = [`Waiting for the signal “${item.signal ?? "?"}”`];
      if (item.since) out.push(" since ", { at: item.since });
      if (item.dueAt) out.push("; until ", { at: item.dueAt });
      return out;
    }
    default:
      return ["Waiting"];
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** A history event as a sentence, naming nodes by their labels. */
export function eventSentence(event: EventJson, label: (nodeId: string) => string): Segment[] {
  const e = event as Record<string, unknown>;
  const node = str(e.nodeId) ? label(String(e.nodeId)) : undefined;
  const by = str(e.by) ? ` by ${e.by}` : "";
  const why = str(e.reason) ? `: ${e.reason}` : "";
  const err = e.error as { type?: string; message?: string } | undefined;
  const errorText = err ? `${err.type ? `${err.type}: ` : ""}${err.message ?? ""}` : "";
  // A run that ended on a version that took it over (closing events only).
  const on = num(e.version) !== undefined && event.type !== "WorkflowStarted" ? ` on version ${e.version}` : "";
  switch (event.type) {
    case "WorkflowStarted": {
      const out: Segment[] = [`Run started on version ${num(e.version) ?? "?"} of ${str(e.name) ?? "the workflow"}${by}`];
      if (str(e.continuedFromRunId)) out.push(", continuing an earlier run");
      if (str(e.retriedFromRunId)) out.push(", retrying a failed run");
      return out;
    }
    case "ActivityScheduled":
      return [`${node}: step ${str(e.activity) ?? ""} scheduled`];
    case "ActivityStarted":
      return [`${node}: attempt ${num(e.attempt) ?? "?"} started${str(e.worker) ? ` on worker ${e.worker}` : ""}`];
    case "ActivityCompleted":
      return [`${node}: attempt ${num(e.attempt) ?? "?"} succeeded`];
    case "ActivityFailed":
      return str(e.nextAttemptAt)
        ? [`${node}: attempt ${num(e.attempt) ?? "?"} failed (${errorText}); next attempt at `, { at: String(e.nextAttemptAt) }]
        : [`${node}: attempt ${num(e.attempt) ?? "?"} failed for good (${errorText})`];
    case "TimerStarted":
      return str(e.dueAt) ? [`${node}: timer set for `, { at: String(e.dueAt) }] : [`${node}: timer set`];
    case "TimerFired":
      return [`${node}: timer fired`];
    case "ApprovalRequested": {
      const title = textOf(e.title, 120);
      const assignees = Array.isArray(e.assignees) ? (e.assignees as string[]) : [];
      const out: Segment[] = [`${node}: approval${title ? ` “${title}”` : ""} requested${assignees.length ? ` from ${orList(assignees)}` : ""}`];
      if (str(e.dueAt)) out.push(", due ", { at: String(e.dueAt) });
      return out;
    }
    case "SignalWaitStarted":
      return [`${node}: waiting for the signal “${str(e.signal) ?? "?"}”`];
    case "SignalReceived": {
      const payload = (e.payload && typeof e.payload === "object" ? e.payload : {}) as Record<string, unknown>;
      const who = str(payload.by) ? ` by ${payload.by}` : by;
      const comment = str(payload.comment) ? `: “${textOf(payload.comment, 300)}”` : "";
      if (e.signal === "approve") return [`${node}: approved${who}${comment}`];
      if (e.signal === "decline") return [`${node}: declined${who}${comment}`];
      return [`${node}: signal “${str(e.signal) ?? "?"}” received${by}`];
    }
    case "WaitTimedOut":
      return [`${node}: the wait timed out`];
    case "ContinuedAsNew":
      return [`Continued as a new run${str(e.loopHead) ? ` at ${label(String(e.loopHead))}` : ""}`];
    case "WorkflowCompleted":
      return [`Run completed${node ? ` at ${node}` : ""}${on}`];
    case "WorkflowFailed":
      return [`Run failed${node ? ` at ${node}` : ""}${on}${errorText ? `: ${errorText}` : ""}`];
    case "WorkflowCancelled":
      return [`Run cancelled${on}${by}${why}`];
    case "WorkflowTerminated":
      return [`Run terminated${on}${by}${why}`];
    default:
      return [`${String(event.type)}${node ? ` at ${node}` : ""}`];
  }
}

export const CLOSING_EVENTS: ReadonlySet<string> = new Set(["WorkflowCompleted", "WorkflowFailed", "WorkflowCancelled", "WorkflowTerminated"]);

/** The state of each node of a run's drawing, from its history and what it waits for. */
export type NodeState = "waiting" | "failed" | "done" | "not-reached";

export function nodeStates(drawing: Drawing, history: readonly EventJson[], pending: readonly PendingItem[]): Map<string, NodeState> {
  const states = new Map<string, NodeState>();
  const reached = new Set<string>();
  for (const node of drawing.nodes) if (node.type === "start") reached.add(node.id);
  for (const e of history) if (typeof e.nodeId === "string") reached.add(e.nodeId);
  for (const p of pending) reached.add(p.nodeId);
  // A node with no event of its own (a branch, a join) was passed when what follows it was reached.
  for (let changed = true; changed; ) {
    changed = false;
    for (const edge of drawing.edges) {
      if (reached.has(edge.target) && !reached.has(edge.source)) {
        const kind = drawing.nodes.find((n) => n.id === edge.source)?.type;
        if (kind === "branch" || kind === "parallel" || kind === "join") {
          reached.add(edge.source);
          changed = true;
        }
      }
    }
  }
  const failed = new Set<string>();
  for (const e of history) {
    if (e.type === "WorkflowFailed" && typeof e.nodeId === "string") failed.add(e.nodeId);
    if (e.type === "ActivityFailed" && typeof e.nodeId === "string" && e.nextAttemptAt === undefined) failed.add(e.nodeId);
    if (e.type === "ActivityCompleted" && typeof e.nodeId === "string") failed.delete(e.nodeId);
  }
  const waiting = new Set(pending.map((p) => p.nodeId));
  for (const node of drawing.nodes) {
    states.set(node.id, waiting.has(node.id) ? "waiting" : failed.has(node.id) ? "failed" : reached.has(node.id) ? "done" : "not-reached");
  }
  return states;
}

/** An API error's message for a person: the server's words, as a sentence. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
