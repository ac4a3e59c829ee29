// What the engine shows, as types only: the describe document, history events, run summaries,
// pending approvals, workflows, versions, activities. Browser code (app/, designer/) imports
// these with `import type`, so this module must stay free of anything that exists at run time
// (no values, no runtime imports): the layering test checks it.
// Times are ISO 8601 strings here; the engine itself keeps epoch milliseconds.

import type { CommandRef, Divergence, ErrorInfo, RecordedEvent } from "./runtime/events.ts";

export type { CommandRef, Divergence, ErrorInfo };

/** Who calls the engine through the app: a signed-in person (engine/permissions.ts). */
export type { Caller } from "./permissions.ts";

/** A run's status as the describe document and lists show it. */
export type RunStatus = "running" | "completed" | "failed" | "cancelled" | "terminated";

/** What a run waits for; times are ISO 8601, like the rest of the describe document. */
export interface PendingItem {
  nodeId: string;
  /** "held": the run's code no longer replays its history there (see Description.held). */
  kind: "activity" | "timer" | "approval" | "signal" | "held";
  activity?: string;
  attempt?: number;
  /** The worker running this attempt now (its task's lease holder). */
  worker?: string;
  nextAttemptAt?: string;
  lastError?: ErrorInfo;
  dueAt?: string;
  signal?: string;
  title?: unknown;
  message?: unknown;
  assignees?: string[];
  /** An approval that needs several approvers: how many, and the approvals so far. */
  quorum?: number;
  approvals?: { by: string; comment?: string; at: string }[];
  since?: string;
  /** For a held run: why its code does not replay its history. */
  reason?: string;
  /**
   * For a run waiting for a signal or a decision: the one that came and is accepted but not
   * taken yet (kept in the run's inbox), its name ("approve", "decline" for a decision), when,
   * and from whom. `held`: the run takes it once a deploy frees it; otherwise as soon as a
   * worker takes the run's next step.
   */
  received?: { signal: string; at: string; by?: string; held: boolean };
}

/** One line of `weft list`: a run without its payloads and history. */
export interface RunSummary {
  workflowId: string;
  runId: string;
  name: string;
  version: number;
  status: RunStatus;
  startedAt: string;
  closedAt?: string;
  /** The node an open run waits at now (a step, timer, approval or signal node), if any. */
  waitingAt?: string;
}

/** A page of the runs list, newest first; `next` is the cursor of the following page. */
export interface RunsPage {
  runs: RunSummary[];
  next?: string;
}

/** A live worker, as `weft workers` shows it. */
export interface WorkerSummary {
  id: string;
  host: string;
  pid: number;
  activities: string[];
  concurrency: number;
  startedAt: string;
  heartbeatAt: string;
}

/** The describe document: a run, with its outcome and what it waits for. */
export interface Description extends RunSummary {
  /** The run's input (for a run continued as new: the first run's; its variables are carried). */
  input: unknown;
  result?: unknown;
  error?: ErrorInfo;
  pending: PendingItem[];
  continuedFromRunId?: string;
  /** The failed run this one retries (engine.retry). */
  retriedFromRunId?: string;
  /**
   * The version the run started on, when it is on another now (`version`: a version declared
   * `--compatible-with` its own took it over).
   */
  startedVersion?: number;
  /**
   * Held: the run's code (that of `version`) no longer replays its history, at `nodeId`. It
   * waits, still "running", until a version it replays on is deployed `--compatible-with` its
   * own; nothing is lost meanwhile (results, timers and signals are recorded or kept).
   */
  held?: HeldRun;
}

/**
 * Where and why a run is held: `reason` is the non-determinism error's message (for
 * developers); `code`, `seq`, `expected` and `actual` its fields (Divergence), absent for runs
 * held before they were kept.
 */
export interface HeldRun extends Partial<Omit<Divergence, "nodeId">> {
  nodeId: string;
  reason: string;
  since: string;
  version: number;
}

/** An approval waiting for a decision: what the approvals inbox lists. */
export interface PendingApproval {
  workflowId: string;
  runId: string;
  nodeId: string;
  title?: unknown;
  message?: unknown;
  assignees: string[];
  since: string;
  dueAt?: string;
  /** The workflow's name. */
  name: string;
  /** The run's input: what the approver decides on. */
  input: unknown;
  /** Who started the run, when known. */
  startedBy?: string;
  /** How many distinct people must approve (1 unless the approval says more). */
  quorum: number;
  /** The approvals so far, of an approval that needs several; one decline declines. */
  approvals: { by: string; comment?: string; at: string }[];
  /** The person who started the run may not decide it. */
  notStarter?: true;
  /** The workflow's title (the facade adds it). */
  workflowTitle?: string;
  /**
   * A decision accepted (acknowledged to its decider) that the run has not taken yet: no
   * further one is accepted. Only lists that ask for decided approvals show those.
   */
  decision?: ApprovalDecision;
}

/** A decision on an approval as it was accepted: approved or declined, by whom, why, when. */
export interface ApprovalDecision {
  approved: boolean;
  by: string;
  comment?: string;
  at: string;
}

/** One pending approval as a decision link's page shows it: whether the caller may decide it, and if not why. */
export interface ApprovalView {
  approval: PendingApproval;
  mayDecide: boolean;
  reason?: string;
  /** Decided already (accepted, the run not yet on): by whom, what, when. mayDecide is then false. */
  decided?: ApprovalDecision;
}

/** An effect of a demo plugin (engine/outbox.ts): an e-mail it would have sent, a payment it would have made. */
export type OutboxEntry =
  | { kind: "email"; at: string; to: string; subject: string; body: string; workflowId?: string; nodeId?: string }
  | { kind: "payment"; at: string; id?: string; from: string; to: string; amount: number; workflowId?: string; nodeId?: string };

/** A history event as JSON: the event's fields, with every time an ISO 8601 string. */
export type EventJson = Record<string, unknown> & { seq: number; type: RecordedEvent["type"]; at: string };

/** A diagnostic of a workflow document: the node or edge id (or a field) and what is wrong. */
export interface DocumentError {
  id: string;
  message: string;
}

/** One line of the workflows list: a deployed workflow, or a draft never deployed. */
export interface WorkflowListItem {
  name: string;
  /** The document's title, or its name when it has none. */
  title: string;
  /** The newest deployed version; null for a draft never deployed. */
  latestVersion: number | null;
  /** Runs of this workflow that are running now. */
  openRuns: number;
  /** The latest of the draft's save and the newest deploy. */
  updatedAt: string;
  /** Who made that latest change, when known. */
  updatedBy?: string;
}

/** The document the designer edits: the draft, or the newest version's when no draft was saved. */
export interface DraftView {
  document: unknown;
  /** Opaque; give it back as `ifMatch` to refuse overwriting someone else's save. */
  etag: string;
  errors: DocumentError[];
}

export interface SavedDraft extends DraftView {
  /** True when the name had neither a draft nor a deployed version before this save. */
  created: boolean;
}

export interface Deployed {
  name: string;
  version: number;
  hash: string;
  /** False when the newest version already had this code: no version was added. */
  created: boolean;
}

/** One deployed version in a workflow's versions list. */
export interface VersionSummary {
  version: number;
  hash: string;
  deployedAt: string;
  deployedBy?: string;
}

/** One deployed version whole: its document and the generated TypeScript module. */
export interface VersionDetail {
  version: number;
  hash: string;
  document: unknown;
  code: string;
}

/** Where a workflow's open runs wait, per node. */
export interface WaitingNode {
  nodeId: string;
  runs: number;
  oldestSince: string;
  /** Of those runs, how many wait for a step's next attempt after a failure. */
  retrying: number;
  /** What they wait for there. */
  kind?: "activity" | "timer" | "approval" | "signal";
  /** At a step: the activities its runs wait for (one, unless versions differ), by name. */
  activities?: string[];
  /** Of those activities, the ones no live worker has loaded: the runs wait until one starts. */
  noWorker?: string[];
}

/** An activity some live worker has loaded: what the designer's palette lists. */
export interface ActivityInfo {
  name: string;
  title: string;
  inputSchema?: unknown;
}
