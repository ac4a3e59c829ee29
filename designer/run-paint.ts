// A run painted on its drawing, as plain data: from the workflow document and the run's history
// (and, for the run as it stands now, what describe says it waits for), the state of each node
// (done with its duration, the path taken, where the run is and what it waits for: attempt N of
// M, the next retry, the last error; an approval by whom, since when, due when; a timer due; a
// signal since), the edges taken, and a timeline of bars (each attempt of a step one bar, each
// wait one). `paintRun(doc, events, { upTo })` paints the run as it stood after event `upTo`:
// the history scrubber's frames. No React and no I/O; the run page and the canvas render it.
//
// Events are the HTTP API's history (times as ISO 8601 strings), structurally: this module
// imports only the compiler's document types, as designer/ must.

import type { WorkflowDocument, WorkflowNode } from "../compiler/document.ts";

/** A history event as the API gives it: `seq`, `type`, `at` and the event's own fields. */
export interface PaintEvent {
  seq: number;
  type: string;
  at: string;
  [field: string]: unknown;
}

/** What describe says a running run waits for (the fields painting uses). */
export interface PaintPending {
  nodeId: string;
  kind: string;
  attempt?: number;
  worker?: string;
  nextAttemptAt?: string;
  reason?: string;
  since?: string;
  /** The signal or decision that came and waits until a worker (or, held, a deploy) lets the run take it. */
  received?: Received;
}

/** A signal or decision a run has been sent and not taken yet: a held one takes it once it is freed. */
export interface Received {
  signal: string;
  at: string;
  by?: string;
  held: boolean;
}

export type RunState = "running" | "completed" | "failed" | "cancelled" | "terminated";

/**
 * A node's state: not reached; passed (a branch or start the run went through); done; running
 * (a step's attempt under way); retrying (a step waiting for its next attempt); waiting (a
 * timer, approval or signal); failed (the run failed there, or its step failed for good);
 * held (its code no longer replays the history there); stopped (where a run was cancelled or
 * terminated).
 */
export type NodeState = "not-reached" | "passed" | "done" | "running" | "retrying" | "waiting" | "failed" | "held" | "stopped";

/** What a node waits for now. */
export type Wait =
  | { kind: "activity"; activity: string; attempt: number; maxAttempts?: number; nextAttemptAt?: string; lastError?: ErrorInfo; worker?: string; since: string }
  | { kind: "approval"; title?: unknown; assignees: string[]; since: string; dueAt?: string; quorum?: number; received?: Received }
  | { kind: "timer"; dueAt: string; since: string }
  | { kind: "signal"; signal: string; since: string; dueAt?: string; received?: Received }
  | { kind: "held"; reason: string; since?: string };

export interface ErrorInfo {
  type: string;
  message: string;
}

/** One try of a step: when it began and ended, where it ran, how it went. */
export interface Attempt {
  attempt: number;
  startedAt: string;
  endedAt?: string;
  worker?: string;
  outcome: "completed" | "failed" | "running";
  error?: ErrorInfo;
}

export interface NodePaint {
  nodeId: string;
  state: NodeState;
  /** How many times the run came here (loops come back). */
  visits: number;
  /** The latest visit: from its first event to its resolution (when it has one). */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  wait?: Wait;
  /** The step's attempts on its latest visit. */
  attempts: Attempt[];
  /** Why it failed, when it did. */
  error?: ErrorInfo;
  /** How an approval was decided, or which signal came. */
  outcome?: string;
}

/** A bar of the history's timeline: an attempt of a step, or a wait. */
export interface Bar {
  nodeId: string;
  kind: "attempt" | "timer" | "approval" | "signal";
  label: string;
  start: string;
  /** Undefined while it lasts. */
  end?: string;
  outcome: "completed" | "failed" | "open" | "fired" | "approved" | "declined" | "received" | "timed-out" | "cancelled";
  /** The index of the event that began it (for the scrubber). */
  fromEvent: number;
}

export interface RunPaint {
  /** How many events are painted (events[0 .. upTo - 1]). */
  upTo: number;
  /** The time of the last event painted. */
  at?: string;
  status: RunState;
  nodes: Record<string, NodePaint>;
  /** Ids of the edges the run went along. */
  edgesTaken: string[];
  error?: ErrorInfo & { nodeId?: string };
  bars: Bar[];
}

interface Open {
  cmd: number;
  nodeId: string;
  kind: "activity" | "timer" | "approval" | "signal";
  index: number;
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);
const errOf = (v: unknown): ErrorInfo | undefined => {
  const e = v as { type?: unknown; message?: unknown } | undefined;
  return e && typeof e === "object" ? { type: String(e.type ?? "Error"), message: String(e.message ?? "") } : undefined;
};

/** Node kinds that record no event of their own: the run passes through them. */
const SILENT = new Set(["start", "branch", "parallel", "join"]);

const COMMAND: Record<string, Open["kind"]> = {
  ActivityScheduled: "activity",
  TimerStarted: "timer",
  ApprovalRequested: "approval",
  SignalWaitStarted: "signal",
};

/**
 * Paints the run as it stood after the first `upTo` events (all of them by default). `pending`
 * (describe's) adds what the history cannot know, for the run as it stands now: the worker of
 * the attempt under way, and a held run's place; it is ignored for an earlier frame.
 */
export function paintRun(
  doc: Pick<WorkflowDocument, "nodes" | "edges"> | undefined,
  history: readonly PaintEvent[],
  options: { upTo?: number; pending?: readonly PaintPending[]; now?: string } = {},
): RunPaint {
  const upTo = Math.max(0, Math.min(options.upTo ?? history.length, history.length));
  const painter = new RunPainter(doc);
  for (let i = 0; i < upTo; i++) painter.apply(history[i]!);
  return painter.paint({ latest: upTo === history.length, pending: options.pending, now: options.now });
}

/**
 * A run painted event by event: `apply` each event of the history in turn, and `paint` gives
 * the run as it stands after those so far, as `paintRun` does for them (a live run's page adds
 * each event as it comes instead of painting its whole history again). `paint` leaves the
 * painter as it was: more events may be applied after it.
 */
export class RunPainter {
  readonly #docNodes: Map<string, WorkflowNode>;
  readonly #nodes = new Map<string, NodePaint>();
  readonly #open = new Map<number, Open>();
  readonly #bars: Bar[] = [];
  readonly #openBar = new Map<number, Bar>();
  /** The open bar of each step's attempt, by node and attempt: a long history finds it at once. */
  readonly #openAttempt = new Map<string, Bar>();
  readonly #edges: EdgeTracker | undefined;
  #count = 0;
  #status = "running" as RunState;
  #error: RunPaint["error"];
  #stoppedAt: string | undefined;
  #at: string | undefined;

  constructor(private readonly doc: Pick<WorkflowDocument, "nodes" | "edges"> | undefined) {
    this.#docNodes = new Map<string, WorkflowNode>((doc?.nodes ?? []).map((n) => [n.id, n]));
    this.#edges = doc ? new EdgeTracker(doc) : undefined;
  }

  /** How many events are applied. */
  get count(): number {
    return this.#count;
  }

  #paint(nodeId: string): NodePaint {
    let p = this.#nodes.get(nodeId);
    if (!p) this.#nodes.set(nodeId, (p = { nodeId, state: "not-reached", visits: 0, attempts: [] }));
    return p;
  }

  #visit(nodeId: string): void {
    this.#edges?.visit(nodeId);
  }

  #track(cmd: number, bar: Bar): Bar {
    this.#openBar.set(cmd, bar);
    return bar;
  }

  /** Adds the history's next event. */
  apply(e: PaintEvent): void {
    const index = this.#count++;
    this.#at = e.at;
    const bars = this.#bars;
    const open = this.#open;
    if (index === 0) {
      const startNode = (this.doc?.nodes ?? []).find((n) => n.type === "start");
      if (startNode) {
        this.#paint(startNode.id).state = "passed";
        this.#visit(startNode.id);
      }
    }
    const nodeId = str(e.nodeId);
    const cmd = num(e.cmd);
    const kind = COMMAND[e.type];
    if (kind && nodeId !== undefined && cmd !== undefined) {
      const p = this.#paint(nodeId);
      p.visits += 1;
      p.startedAt = e.at;
      p.endedAt = undefined;
      p.durationMs = undefined;
      p.error = undefined;
      p.outcome = undefined;
      p.attempts = [];
      open.set(cmd, { cmd, nodeId, kind, index });
      this.#visit(nodeId);
      if (kind === "activity") {
        const retry = (e.options as { retry?: { maximumAttempts?: number } } | undefined)?.retry;
        const max = retry?.maximumAttempts;
        p.state = "running";
        p.wait = { kind: "activity", activity: str(e.activity) ?? "", attempt: 1, ...(max ? { maxAttempts: max } : {}), since: e.at };
      } else if (kind === "timer") {
        p.state = "waiting";
        p.wait = { kind: "timer", dueAt: str(e.dueAt) ?? e.at, since: e.at };
        bars.push(this.#track(cmd, { nodeId, kind: "timer", label: "timer", start: e.at, outcome: "open", fromEvent: index }));
      } else if (kind === "approval") {
        p.state = "waiting";
        const assignees = Array.isArray(e.assignees) ? (e.assignees as string[]) : [];
        p.wait = {
          kind: "approval",
          ...(e.title === undefined ? {} : { title: e.title }),
          assignees,
          since: e.at,
          ...(str(e.dueAt) ? { dueAt: str(e.dueAt) } : {}),
          ...(num(e.quorum) ? { quorum: num(e.quorum) } : {}),
        };
        bars.push(this.#track(cmd, { nodeId, kind: "approval", label: assignees.length ? `approval by ${assignees.join(", ")}` : "approval", start: e.at, outcome: "open", fromEvent: index }));
      } else {
        p.state = "waiting";
        p.wait = { kind: "signal", signal: str(e.signal) ?? "", since: e.at, ...(str(e.dueAt) ? { dueAt: str(e.dueAt) } : {}) };
        bars.push(this.#track(cmd, { nodeId, kind: "signal", label: `signal “${str(e.signal) ?? ""}”`, start: e.at, outcome: "open", fromEvent: index }));
      }
      return;
    }
    const o = cmd === undefined ? undefined : open.get(cmd);
    switch (e.type) {
      case "ActivityStarted":
      case "ActivityCompleted":
      case "ActivityFailed": {
        if (!o || nodeId === undefined) break;
        const p = this.#paint(nodeId);
        const attempt = num(e.attempt) ?? 1;
        if (e.type === "ActivityStarted") {
          const startedAt = str(e.startedAt) ?? e.at;
          p.attempts.push({ attempt, startedAt, ...(str(e.worker) ? { worker: str(e.worker) } : {}), outcome: "running" });
          const bar: Bar = { nodeId, kind: "attempt", label: `attempt ${attempt}`, start: startedAt, outcome: "open", fromEvent: index };
          bars.push(bar);
          this.#openAttempt.set(attemptKey(nodeId, attempt), bar);
          break;
        }
        let a = p.attempts.find((x) => x.attempt === attempt);
        if (!a) {
          // A history without the attempt's start (older runs): the attempt from the step's last news.
          a = { attempt, startedAt: p.attempts.at(-1)?.endedAt ?? p.startedAt ?? e.at, outcome: "running" };
          p.attempts.push(a);
          const bar: Bar = { nodeId, kind: "attempt", label: `attempt ${attempt}`, start: a.startedAt, outcome: "open", fromEvent: index };
          bars.push(bar);
          this.#openAttempt.set(attemptKey(nodeId, attempt), bar);
        }
        a.endedAt = e.at;
        const bar = this.#openAttempt.get(attemptKey(nodeId, attempt));
        this.#openAttempt.delete(attemptKey(nodeId, attempt));
        if (bar) bar.end = e.at;
        const w = p.wait?.kind === "activity" ? p.wait : undefined;
        if (e.type === "ActivityCompleted") {
          a.outcome = "completed";
          if (bar) bar.outcome = "completed";
          finish(p, e.at, "done");
          open.delete(o.cmd);
        } else {
          a.outcome = "failed";
          a.error = errOf(e.error);
          if (bar) bar.outcome = "failed";
          const next = str(e.nextAttemptAt);
          if (next && w) {
            p.state = "retrying";
            p.wait = { ...w, attempt: attempt + 1, nextAttemptAt: next, ...(a.error ? { lastError: a.error } : {}) };
          } else {
            p.error = a.error;
            finish(p, e.at, "failed");
            open.delete(o.cmd);
          }
        }
        break;
      }
      case "TimerFired":
      case "SignalReceived":
      case "WaitTimedOut": {
        if (!o || nodeId === undefined) break;
        const p = this.#paint(nodeId);
        const bar = this.#openBar.get(o.cmd);
        let handle: string | undefined;
        if (e.type === "TimerFired") {
          if (bar) bar.outcome = "fired";
        } else if (e.type === "WaitTimedOut") {
          if (bar) bar.outcome = "timed-out";
          p.outcome = "timed out";
          handle = "timeout";
        } else if (o.kind === "approval") {
          const payload = (e.payload ?? {}) as { by?: unknown };
          const approved = e.signal === "approve";
          if (bar) bar.outcome = approved ? "approved" : "declined";
          p.outcome = `${approved ? "approved" : "declined"}${str(payload.by) ? ` by ${payload.by}` : str(e.by) ? ` by ${e.by}` : ""}`;
          handle = approved ? "approved" : "declined";
        } else {
          if (bar) bar.outcome = "received";
          p.outcome = `signal “${str(e.signal) ?? ""}” received${str(e.by) ? ` from ${e.by}` : ""}`;
        }
        if (bar) bar.end = e.at;
        this.#openBar.delete(o.cmd);
        finish(p, e.at, "done");
        open.delete(o.cmd);
        if (handle) this.#edges?.leave(nodeId, handle);
        break;
      }
      case "WorkflowCompleted":
      case "WorkflowFailed": {
        this.#status = e.type === "WorkflowCompleted" ? "completed" : "failed";
        if (nodeId !== undefined && this.#docNodes.get(nodeId)?.type === "end") {
          // The end node the run reached (one that fails the run is where it meant to go: done).
          const p = this.#paint(nodeId);
          p.visits += 1;
          p.startedAt = e.at;
          p.endedAt = e.at;
          p.durationMs = 0;
          p.state = "done";
          this.#visit(nodeId);
        } else if (nodeId !== undefined) {
          // The run failed at a node it was at (a step whose attempts ran out): failed there.
          const p = this.#paint(nodeId);
          p.state = "failed";
          p.error ??= errOf(e.error);
          p.wait = undefined;
        }
        if (e.type === "WorkflowFailed") this.#error = { ...(errOf(e.error) ?? { type: "Error", message: "" }), ...(nodeId ? { nodeId } : {}) };
        break;
      }
      case "WorkflowCancelled":
      case "WorkflowTerminated":
        this.#status = e.type === "WorkflowCancelled" ? "cancelled" : "terminated";
        this.#stoppedAt = e.at;
        break;
      default:
        break;
    }
  }

  /**
   * The run painted after the events applied. `latest`: they are the whole history so far, so
   * that `pending` (describe's) applies; `now` starts the bar of an attempt whose retry is due.
   * Nothing returned is the painter's own: applying more events changes none of it.
   */
  paint(options: { latest?: boolean; pending?: readonly PaintPending[]; now?: string } = {}): RunPaint {
    const status = this.#status;
    const stoppedAt = this.#stoppedAt;
    // Copies of what the painter goes on changing: the nodes and their attempts, the open bars.
    const nodes = new Map<string, NodePaint>();
    for (const [id, p] of this.#nodes) nodes.set(id, { ...p, attempts: p.attempts.map((a) => ({ ...a })) });
    const paint = (nodeId: string) => {
      let p = nodes.get(nodeId);
      if (!p) nodes.set(nodeId, (p = { nodeId, state: "not-reached", visits: 0, attempts: [] }));
      return p;
    };
    const openBars = new Set<Bar>([...this.#openBar.values(), ...this.#openAttempt.values()]);
    const bars = this.#bars.map((b) => (openBars.has(b) || b.outcome === "open" ? { ...b } : b));

    // What was open when the run stopped: stopped there.
    if (status === "cancelled" || status === "terminated") {
      for (const o of this.#open.values()) {
        const p = paint(o.nodeId);
        p.state = "stopped";
        p.wait = undefined;
        p.endedAt = stoppedAt;
        for (const b of bars) if (b.nodeId === o.nodeId && b.outcome === "open") Object.assign(b, { outcome: "cancelled", end: stoppedAt });
      }
    }

    // The run as it stands now: what describe knows and the history does not.
    if ((options.latest ?? true) && status === "running") {
      for (const item of options.pending ?? []) {
        const p = paint(item.nodeId);
        if (item.kind === "held") {
          p.state = "held";
          p.wait = { kind: "held", reason: item.reason ?? "", ...(item.since ? { since: item.since } : {}) };
        } else if (item.kind === "activity" && p.wait?.kind === "activity" && item.worker) {
          p.wait = { ...p.wait, worker: item.worker };
        } else if (item.received && (p.wait?.kind === "signal" || p.wait?.kind === "approval") && p.wait.kind === item.kind) {
          p.wait = { ...p.wait, received: item.received };
        }
      }
    }
    // An attempt under way (not yet in the history, which records its start with its outcome).
    if (status === "running") {
      for (const p of nodes.values()) {
        if (p.wait?.kind !== "activity" || p.state === "held") continue;
        const w = p.wait;
        // Running: since it was scheduled; retrying: from its next attempt's time, once that has come.
        const start = p.state === "retrying" ? (options.now !== undefined && w.nextAttemptAt !== undefined && Date.parse(options.now) >= Date.parse(w.nextAttemptAt) ? w.nextAttemptAt : undefined) : w.since;
        if (start !== undefined) bars.push({ nodeId: p.nodeId, kind: "attempt", label: `attempt ${w.attempt}`, start, outcome: "open", fromEvent: Math.max(0, this.#count - 1) });
      }
    }

    const docNodes = this.#docNodes;
    return {
      upTo: this.#count,
      ...(this.#at !== undefined ? { at: this.#at } : {}),
      status,
      nodes: Object.fromEntries([...(this.doc?.nodes ?? []).map((n) => [n.id, nodes.get(n.id) ?? { nodeId: n.id, state: "not-reached" as const, visits: 0, attempts: [] }]), ...[...nodes].filter(([id]) => !docNodes.has(id))]),
      edgesTaken: this.#edges ? this.#edges.taken() : [],
      ...(this.#error ? { error: this.#error } : {}),
      bars,
    };
  }
}

/**
 * Paints a history that grows at its end (a live run's, as its events come) by applying only
 * the events added since the last call; a history that is not the last one grown (another run,
 * another document, one that no longer starts with the events applied) is painted afresh.
 */
export class GrowingPainter {
  #painter: RunPainter | undefined;
  #doc: Pick<WorkflowDocument, "nodes" | "edges"> | undefined;
  #last: PaintEvent | undefined;

  /** The run as it stands after all of `history` (as `paintRun(doc, history, options)`). */
  paint(doc: Pick<WorkflowDocument, "nodes" | "edges"> | undefined, history: readonly PaintEvent[], options: { pending?: readonly PaintPending[]; now?: string } = {}): RunPaint {
    const n = this.#painter?.count ?? 0;
    const at = n > 0 ? history[n - 1] : undefined;
    const same = this.#painter !== undefined && this.#doc === doc && n <= history.length && (n === 0 || (at!.seq === this.#last!.seq && at!.type === this.#last!.type && at!.at === this.#last!.at));
    if (!same) {
      this.#painter = new RunPainter(doc);
      this.#doc = doc;
    }
    const painter = this.#painter!;
    for (let i = painter.count; i < history.length; i++) painter.apply(history[i]!);
    this.#last = history[history.length - 1];
    return painter.paint({ latest: true, pending: options.pending, now: options.now });
  }
}

const attemptKey = (nodeId: string, attempt: number) => `${nodeId}\u0000${attempt}`;

/**
 * The edges the run went along, as it goes: between each node it reached and the next, the
 * shortest way through nodes that record nothing (branches, forks, joins), leaving by the
 * handle the first node took when it says (an approval's decision, a timeout), which may come
 * after the next node was reached (a parallel branch): that way is then found again.
 */
class EdgeTracker {
  readonly #out = new Map<string, { id: string; target: string; handle?: string }[]>();
  readonly #kinds: Map<string, string>;
  readonly #order: string[];
  /** The nodes reached, in order (a node again for each visit), with the handle each left by. */
  readonly #visits: { nodeId: string; handle?: string }[] = [];
  /** Each node's latest visit, by its index. */
  readonly #latest = new Map<string, number>();
  /** The way from each visit to the next, by the first visit's index. */
  readonly #ways: string[][] = [];
  /** How many ways go along each edge. */
  readonly #count = new Map<string, number>();

  constructor(doc: Pick<WorkflowDocument, "nodes" | "edges">) {
    this.#kinds = new Map(doc.nodes.map((n) => [n.id, n.type as string]));
    this.#order = doc.edges.map((e) => e.id);
    for (const e of doc.edges) {
      if (typeof e?.source !== "string") continue;
      this.#out.set(e.source, [...(this.#out.get(e.source) ?? []), { id: e.id, target: e.target, handle: e.sourceHandle ?? undefined }]);
    }
  }

  visit(nodeId: string): void {
    this.#visits.push({ nodeId });
    const i = this.#visits.length - 1;
    this.#latest.set(nodeId, i);
    if (i > 0) this.#setWay(i - 1);
  }

  /** The node's latest visit left by `handle`. */
  leave(nodeId: string, handle: string): void {
    const i = this.#latest.get(nodeId);
    if (i === undefined) return;
    this.#visits[i]!.handle = handle;
    if (i + 1 < this.#visits.length) this.#setWay(i);
  }

  taken(): string[] {
    return this.#order.filter((id) => (this.#count.get(id) ?? 0) > 0);
  }

  #setWay(i: number): void {
    for (const id of this.#ways[i] ?? []) this.#count.set(id, this.#count.get(id)! - 1);
    const way = this.#way(this.#visits[i]!, this.#visits[i + 1]!.nodeId);
    this.#ways[i] = way;
    for (const id of way) this.#count.set(id, (this.#count.get(id) ?? 0) + 1);
  }

  /** Breadth first from `from` to `to`, through silent nodes only. */
  #way(from: { nodeId: string; handle?: string }, to: string): string[] {
    const out = this.#out;
    const first = (out.get(from.nodeId) ?? []).filter((e) => from.handle === undefined || (e.handle ?? "") === from.handle);
    const queue: { node: string; path: string[] }[] = [];
    const seen = new Set<string>();
    for (const e of first.length ? first : (out.get(from.nodeId) ?? [])) queue.push({ node: e.target, path: [e.id] });
    while (queue.length > 0) {
      const { node, path } = queue.shift()!;
      if (node === to) return path;
      if (seen.has(node) || !SILENT.has(this.#kinds.get(node) ?? "")) continue;
      seen.add(node);
      for (const e of out.get(node) ?? []) queue.push({ node: e.target, path: [...path, e.id] });
    }
    return [];
  }
}

function finish(p: NodePaint, at: string, state: NodeState): void {
  p.state = state;
  p.endedAt = at;
  p.durationMs = p.startedAt ? Math.max(0, Date.parse(at) - Date.parse(p.startedAt)) : undefined;
  p.wait = undefined;
}

/** The silent nodes the run passed through: the sources of taken edges that record nothing. */
export function passedNodes(doc: Pick<WorkflowDocument, "nodes" | "edges">, paint: RunPaint): string[] {
  const kinds = new Map(doc.nodes.map((n) => [n.id, n.type as string]));
  const taken = new Set(paint.edgesTaken);
  return [...new Set(doc.edges.filter((e) => taken.has(e.id) && SILENT.has(kinds.get(e.source) ?? "")).map((e) => e.source))];
}

/** A duration for a person: "420 ms", "3.8 s", "2 min 5 s", "1 h 4 min", "3 d 2 h". */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** What a node waits for, in words (times as ISO strings for the page to show in local time). */
export function waitText(wait: Wait, now?: string): string {
  switch (wait.kind) {
    case "activity": {
      const of = wait.maxAttempts ? ` of ${wait.maxAttempts}` : "";
      const parts = [`attempt ${wait.attempt}${of}`];
      if (wait.nextAttemptAt) {
        const left = now === undefined ? undefined : Date.parse(wait.nextAttemptAt) - Date.parse(now);
        parts.push(left !== undefined && left > 0 ? `next retry in ${durationText(left)}` : "next retry due");
      } else if (wait.worker) {
        parts.push(`running on ${wait.worker}`);
      }
      if (wait.lastError) parts.push(`last error: ${wait.lastError.type}: ${wait.lastError.message}`);
      return parts.join(" · ");
    }
    case "approval":
      if (wait.received) return `${receivedText(wait.received)}, ${takenWhen(wait.received)}`;
      return `waiting for approval${wait.assignees.length ? ` by ${wait.assignees.join(", ")}` : ""}`;
    case "timer":
      return "timer";
    case "signal":
      if (wait.received) return `${receivedText(wait.received)}, ${takenWhen(wait.received)}`;
      return `waiting for the signal “${wait.signal}”`;
    case "held":
      return `held: ${wait.reason}`;
  }
}

/** When the run takes what it was sent: a held run once a deploy frees it, any other once a worker takes its next step. */
export function takenWhen(r: Pick<Received, "held">): string {
  return r.held ? "taken once the run is freed" : "taken once a worker picks the run up";
}

/** A signal or decision a run was sent: "signal “go” received from ops", "decision received: approved by fin1". */
export function receivedText(r: Received): string {
  if (r.signal === "approve" || r.signal === "decline") return `decision received: ${r.signal === "approve" ? "approved" : "declined"}${r.by ? ` by ${r.by}` : ""}`;
  return `signal “${r.signal}” received${r.by ? ` from ${r.by}` : ""}`;
}

/** A node's state in words, as its badge on the drawing says it: "done in 1.2 s", "waiting". */
export function stateWords(p: Pick<NodePaint, "state" | "durationMs">): string {
  switch (p.state) {
    case "not-reached":
      return "not reached";
    case "done":
      return p.durationMs !== undefined && p.durationMs > 0 ? `done in ${durationText(p.durationMs)}` : "done";
    case "retrying":
      return "waiting to retry";
    default:
      return p.state;
  }
}
