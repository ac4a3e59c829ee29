// The engine as the app sees it: one object, `Weft`, with every operation the HTTP API needs
// (workflows, drafts, versions, activities, runs, approvals, people), answering the view types
// of views.ts (plain JSON-able data, times as ISO 8601). The app imports this module's types
// only (`import type`), so that the bundler never reaches the engine's drivers, sandbox or
// Prisma; `weft dev` builds the object in its own process and hands it to the route handlers.
//
// Nothing here leaks the engine's insides: the database, the codec and the Engine itself are
// private (#fields), and every answer is a view. Who may do what is decided by the app (roles)
// and, for approvals, here from the approval's assignees (permissions.ts).

import { ApprovalsFeed } from "./approvals-feed.ts";
import { EngineError } from "./errors.ts";
import { Engine, type StartOptions } from "./engine.ts";
import { getDraft, insertDraft, listDrafts, putDraft, replaceDraft, type DraftWrite } from "./draft-store.ts";
import { eventJson } from "./history-json.ts";
import { People } from "./people.ts";
import { mayDecide } from "./permissions.ts";
import { readOutbox } from "./outbox.ts";
import { openRunCounts } from "./run-store.ts";
import { documentTitle, getVersion, latestVersion, listVersions, listWorkflows } from "./version-store.ts";
import type {
  ActivityInfo,
  ApprovalDecision,
  ApprovalView,
  Caller,
  Deployed,
  Description,
  DocumentError,
  DraftView,
  EventJson,
  OutboxEntry,
  PendingApproval,
  RunsPage,
  RunStatus,
  SavedDraft,
  VersionDetail,
  VersionSummary,
  WaitingNode,
  WorkflowListItem,
} from "./views.ts";
import { liveActivities } from "./worker-store.ts";
import type { RunsQuery } from "./run-views.ts";

/** A workflow name: what the document contract allows (compiler/workflow.schema.json). */
const WORKFLOW_NAME = /^[a-z][a-z0-9-]*$/;
const MAX_WORKFLOW_NAME = 100;

/** The document the designer works on now: its draft, else its newest version's. */
interface Current {
  document: unknown;
  etag: string;
}

export type { RunsQuery };

/** What a bulk cancel or terminate did: the runs it closed, and why each other one was not. */
export interface BulkOutcome {
  done: string[];
  failed: { workflowId: string; code: string; message: string }[];
}

export interface Decision {
  workflowId: string;
  nodeId: string;
  approved: boolean;
  by: string;
  comment?: string;
  at: string;
  /**
   * An approval that needs several approvers: how many, and the approvals so far (this one
   * included); while there are fewer than `quorum`, the run still waits.
   */
  quorum?: number;
  approvals?: { by: string; comment?: string; at: string }[];
}

/** Open runs the draft's code does not replay, each with the node where it parts from it. */
export interface BreakingRun {
  workflowId: string;
  runId: string;
  nodeId: string;
  message: string;
  /** The version whose code the run is on now. */
  version: number;
}

/** What deploying the draft would do to the open runs of one version (Weft.checkDraft). */
export interface VersionRunsCheck {
  /** The version whose code these runs are on now (theirs, or the one they were moved to). */
  version: number;
  runs: number;
  breaking: BreakingRun[];
  /** Nodes of that version the draft no longer has, where its runs wait: how many, and the node's name there. */
  removed: { nodeId: string; name: string; runs: number }[];
}

/** What deploying a draft would do to the open runs, of every version (Weft.checkDraft). */
export interface DraftCheck {
  /** The newest version; null when never deployed. */
  version: number | null;
  /** The open runs, of every version. */
  runs: number;
  /** Every open run whose history the draft's code does not replay. */
  breaking: BreakingRun[];
  /** Nodes the draft no longer has where open runs wait: how many in all, and of which versions. */
  removed: { nodeId: string; name: string; runs: number; versions: { version: number; runs: number }[] }[];
  /** Each version with open runs, newest first. */
  versions: VersionRunsCheck[];
}

export class Weft {
  /** People, their sessions and tokens (engine/people.ts). */
  readonly people: People;
  readonly #engine: Engine;
  /** Whether close() closes the engine: only one this facade opened. */
  readonly #owned: boolean;
  /** The approvals waiting, followed once for every open inbox (watchApprovals); made on first use. */
  #approvalsFeed: ApprovalsFeed | undefined;

  private constructor(engine: Engine, owned: boolean) {
    this.#engine = engine;
    this.#owned = owned;
    this.people = new People(engine.db);
  }

  /** Opens the database (migrating it) and an engine over it, for this facade alone. */
  static async open(options: { url?: string } = {}): Promise<Weft> {
    return new Weft(await Engine.open({ url: options.url }), true);
  }

  /** A facade over an engine someone else opened and closes (`weft dev` shares its worker's). */
  static over(engine: Engine): Weft {
    return new Weft(engine, false);
  }

  /** Closes the engine if this facade opened it (Weft.open); one given to Weft.over stays open. */
  async close(): Promise<void> {
    if (this.#owned) await this.#engine.close();
  }

  // --------------------------------------------------------------------------------------------
  // Workflows, drafts, versions

  /**
   * Every workflow: each deployed name and each draft never deployed, by title. `updatedAt` is
   * the later of the draft's last save and the newest deploy, `updatedBy` who made it.
   */
  async workflows(): Promise<WorkflowListItem[]> {
    const db = this.#engine.db;
    const deployed = await listWorkflows(db);
    const drafts = await listDrafts(db);
    const open = await openRunCounts(db);
    const byName = new Map<string, { title?: string; latestVersion: number | null; updatedAt: number; updatedBy: string | null }>();
    for (const w of deployed) {
      byName.set(w.name, { title: w.title, latestVersion: w.version, updatedAt: w.createdAt, updatedBy: w.deployedBy });
    }
    for (const d of drafts) {
      const known = byName.get(d.name);
      // The draft is what the designer shows, so its title wins over the deployed one.
      const title = documentTitle(d.documentText);
      const newer = !known || d.updatedAt >= known.updatedAt;
      byName.set(d.name, {
        title,
        latestVersion: known?.latestVersion ?? null,
        updatedAt: newer ? d.updatedAt : known.updatedAt,
        updatedBy: newer ? d.updatedBy : known.updatedBy,
      });
    }
    const items: WorkflowListItem[] = [...byName].map(([name, w]) => ({
      name,
      title: w.title ?? name,
      latestVersion: w.latestVersion,
      openRuns: open.get(name) ?? 0,
      updatedAt: new Date(w.updatedAt).toISOString(),
      ...(w.updatedBy === null ? {} : { updatedBy: w.updatedBy }),
    }));
    return items.sort((a, b) => a.title.localeCompare(b.title, "en") || compare(a.name, b.name));
  }

  /**
   * The document the designer edits: the saved draft, else the newest version's; with its etag
   * (give it back to saveDraft as `ifMatch`) and the compiler's diagnostics, those deploy would
   * report. NOT_FOUND when the name has neither.
   */
  async draft(name: string): Promise<DraftView> {
    const current = await this.#current(name);
    if (!current) throw notFound(name);
    return { document: current.document, etag: current.etag, errors: await diagnostics(current.document) };
  }

  /**
   * The same document and etag without the diagnostics, which cost a compile (tens of
   * milliseconds for a drawing of hundreds of nodes): for the designer's page, whose own
   * compiler checks the document in the browser.
   */
  async draftDocument(name: string): Promise<Omit<DraftView, "errors">> {
    const current = await this.#current(name);
    if (!current) throw notFound(name);
    return { document: current.document, etag: current.etag };
  }

  /**
   * Saves a draft: any well-formed document (a JSON object whose `name` is `name`), compiling
   * or not; its diagnostics come back as `errors`. With `ifMatch` (the etag the author loaded),
   * a draft saved or created since is a CONFLICT; without it, the save overwrites.
   */
  async saveDraft(name: string, document: unknown, options: { by: string; ifMatch?: string }): Promise<SavedDraft> {
    checkName(name);
    if (!isObject(document) || document.name !== name) {
      const has = isObject(document) ? (typeof document.name === "string" ? `has the name "${document.name}"` : "has no name") : "is not a JSON object";
      const message = `the document saved as "${name}" must be a JSON object whose "name" is "${name}"; this one ${has}`;
      throw new EngineError("INVALID", message, [{ id: "name", message }], true);
    }
    const db = this.#engine.db;
    const documentText = JSON.stringify(document);
    const write: DraftWrite = { name, documentText, updatedBy: options.by, at: Date.now() };
    const stored = JSON.parse(documentText) as unknown;
    const errors = await diagnostics(stored);
    let revision: number;
    let created = false;
    if (options.ifMatch === undefined) {
      const saved = await putDraft(db, write);
      revision = saved.revision;
      created = saved.inserted && (await latestVersion(db, name)) === undefined;
    } else {
      revision = await this.#saveIfMatch(write, options.ifMatch);
    }
    return { document: stored, errors, created, etag: draftEtag(revision) };
  }

  /**
   * The compare-and-set behind If-Match: `"r<N>"` replaces draft revision N only; `"v<N>"` (no
   * draft was saved, the author loaded version N) inserts the first draft only while there is
   * none and version N is still the newest; `*` (HTTP's "whatever is there") saves over the
   * current one, if there is one. Anything else is a conflict: the author's copy is not the
   * current one.
   */
  async #saveIfMatch(write: DraftWrite, ifMatch: string): Promise<number> {
    const db = this.#engine.db;
    const conflict = () =>
      new EngineError("CONFLICT", `the workflow "${write.name}" was changed since you loaded it: reload or overwrite`);
    if (ifMatch.trim() === "*") {
      const current = await this.#current(write.name);
      if (!current) throw conflict();
      return (await putDraft(db, write)).revision;
    }
    // Taken as HTTP sends it back: quoted, possibly marked weak (W/), or bare.
    const match = /^(?:W\/)?"?([rv])([1-9][0-9]*)"?$/.exec(ifMatch.trim());
    if (!match) throw conflict();
    const n = Number(match[2]);
    if (match[1] === "r") {
      const revision = await replaceDraft(db, write, n);
      if (revision === undefined) throw conflict();
      return revision;
    }
    // A version deployed between this check and the insert could slip through; versions come
    // from drafts (the app) or from the command line, so that takes two writers at one moment.
    if ((await latestVersion(db, write.name))?.version !== n) throw conflict();
    if (!(await insertDraft(db, write))) throw conflict();
    return 1;
  }

  /**
   * Compiles and deploys the draft (or, with none saved, the newest version's document again):
   * INVALID with the diagnostics as `errors` when it does not compile; an unchanged document
   * adds no version (`created: false`, the newest version's number).
   */
  async deployDraft(name: string, by: string, options: { compatibleWith?: number } = {}): Promise<Deployed> {
    const current = await this.#current(name);
    if (!current) throw notFound(name);
    const { version, hash, created } = await this.#engine.deploy(current.document, { by, ...(options.compatibleWith === undefined ? {} : { compatibleWith: options.compatibleWith }) });
    return { name, version, hash, created };
  }

  /**
   * What deploying the draft would do to the runs still open (the designer asks before a
   * deploy), version by version: the open runs on each version's code replayed on the draft's
   * (Engine.checkOpenRuns), with the node where each that would break parts from it, and how
   * many wait at each node the draft no longer has (named as in their version). Writes nothing.
   */
  async checkDraft(name: string): Promise<DraftCheck> {
    const current = await this.#current(name);
    if (!current) throw notFound(name);
    const doc = current.document as { nodes?: unknown };
    const ids = new Set((Array.isArray(doc.nodes) ? doc.nodes : []).map((n) => (isObject(n) ? n.id : undefined)).filter((id): id is string => typeof id === "string"));
    const db = this.#engine.db;
    const latest = await latestVersion(db, name);
    if (!latest) return { version: null, runs: 0, breaking: [], removed: [], versions: [] };
    const versions: VersionRunsCheck[] = [];
    for (const report of await this.#engine.checkOpenRuns(current.document)) {
      const gone = report.waiting.filter((w) => !ids.has(w.nodeId));
      const nodes = gone.length > 0 ? nodeNames((await getVersion(db, name, report.version))?.document) : new Map<string, string>();
      versions.push({
        version: report.version,
        runs: report.runs,
        breaking: report.breaking.map((b) => ({ ...b, version: report.version })),
        removed: gone.map((w) => ({ nodeId: w.nodeId, name: nodes.get(w.nodeId) ?? w.nodeId, runs: w.runs })),
      });
    }
    const removed = new Map<string, DraftCheck["removed"][number]>();
    for (const v of versions) {
      for (const r of v.removed) {
        const sum = removed.get(r.nodeId) ?? { nodeId: r.nodeId, name: r.name, runs: 0, versions: [] };
        sum.runs += r.runs;
        sum.versions.push({ version: v.version, runs: r.runs });
        removed.set(r.nodeId, sum);
      }
    }
    return {
      version: latest.version,
      runs: versions.reduce((n, v) => n + v.runs, 0),
      breaking: versions.flatMap((v) => v.breaking),
      removed: [...removed.values()],
      versions,
    };
  }

  /** A workflow's versions, newest first; [] for a draft never deployed; NOT_FOUND for neither. */
  async versions(name: string): Promise<VersionSummary[]> {
    const db = this.#engine.db;
    const versions = await listVersions(db, name);
    if (versions.length === 0 && (await getDraft(db, name)) === undefined) throw notFound(name);
    return versions.map((v) => ({
      version: v.version,
      hash: v.hash,
      deployedAt: new Date(v.createdAt).toISOString(),
      ...(v.deployedBy === null ? {} : { deployedBy: v.deployedBy }),
    }));
  }

  /** One version whole: its document and its generated TypeScript module. */
  async version(name: string, version: number): Promise<VersionDetail> {
    const row = Number.isSafeInteger(version) && version >= 1 ? await getVersion(this.#engine.db, name, version) : undefined;
    if (!row) throw new EngineError("NOT_FOUND", `${name} has no version ${version}`);
    return { version: row.version, hash: row.hash, document: row.document, code: row.source };
  }

  /**
   * Where the workflow's open runs wait, per node (the designer's badges); at a step, the
   * activities no live worker has loaded, for which its runs wait until a worker with them
   * starts. NOT_FOUND for a name with neither draft nor version.
   */
  async waiting(name: string): Promise<WaitingNode[]> {
    const waiting = await this.#engine.waiting(name);
    if (!waiting.some((w) => w.activities?.length)) return waiting;
    const live = new Set((await liveActivities(this.#engine.db, Date.now())).map((a) => a.name));
    return waiting.map((w) => {
      const missing = (w.activities ?? []).filter((a) => !live.has(a));
      return missing.length ? { ...w, noWorker: missing } : w;
    });
  }

  /** The activities live workers have loaded, once per name, by title: the palette's steps. */
  async activities(): Promise<ActivityInfo[]> {
    return liveActivities(this.#engine.db, Date.now());
  }

  /** The draft, else the newest version's document, with the etag that stands for it. */
  async #current(name: string): Promise<Current | undefined> {
    const db = this.#engine.db;
    const draft = await getDraft(db, name);
    if (draft) return { document: JSON.parse(draft.documentText), etag: draftEtag(draft.revision) };
    const latest = await latestVersion(db, name);
    if (latest) return { document: latest.document(), etag: `"v${latest.version}"` };
    return undefined;
  }

  // --------------------------------------------------------------------------------------------
  // Runs

  // Thin: the engine does the work and records `by` (who started, signalled, cancelled,
  // terminated, retried or decided) on the history events.

  /** Starts a run of the newest version; `by` is recorded as its starter. */
  async start(name: string, options: Pick<StartOptions, "input" | "workflowId">, by: string): Promise<{ workflowId: string; runId: string }> {
    return this.#engine.start(name, { input: options.input, workflowId: options.workflowId, by });
  }

  /** A page of runs, newest first; `next` is the cursor of the following page. */
  async runs(query: RunsQuery = {}): Promise<RunsPage> {
    return this.#engine.runs(query);
  }

  /** Per status, how many runs the runs list with these filters (its status aside) shows: its live counts. */
  async runCounts(query: Omit<RunsQuery, "cursor" | "limit" | "status"> = {}): Promise<Record<RunStatus, number>> {
    return this.#engine.runCounts(query);
  }

  /**
   * Cancels or terminates each of these runs, one after the other, recording `by` on each: a run
   * that ended meanwhile or is unknown is reported in `failed` with the reason, not thrown.
   */
  async closeMany(workflowIds: string[], how: "cancel" | "terminate", by: string, reason?: string): Promise<BulkOutcome> {
    const outcome: BulkOutcome = { done: [], failed: [] };
    for (const workflowId of [...new Set(workflowIds)]) {
      try {
        await this.#engine[how](workflowId, { by, reason });
        outcome.done.push(workflowId);
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        outcome.failed.push({ workflowId, code: err.code, message: err.message });
      }
    }
    return outcome;
  }

  async describe(workflowId: string): Promise<Description> {
    return this.#engine.describe(workflowId);
  }

  /** The describe document and the history together, the history read once (a run's page: a long history costs one read, not two). */
  async runWithHistory(workflowId: string): Promise<{ description: Description; history: EventJson[] }> {
    const { description, history } = await this.#engine.describeWithHistory(workflowId);
    return { description, history: history.map(eventJson) };
  }

  async history(workflowId: string): Promise<EventJson[]> {
    return (await this.#engine.history(workflowId)).map(eventJson);
  }

  /**
   * The history as it grows, across continue-as-new, until the run ends: each event with an id
   * that rises across the chain's runs (an SSE id), and with `lastEventId` exactly the events
   * after it. `onVotes` hears of each approval toward a quorum that does not complete it (no
   * event records those), with who approved so far; `onDecisions` of each decision accepted
   * that the run has not taken yet (it takes it when a worker runs it: its events follow).
   */
  async *watch(
    workflowId: string,
    options: {
      lastEventId?: number;
      signal?: AbortSignal;
      onVotes?: (votes: { nodeId: string; by: string; at: string }[]) => void;
      onDecisions?: (decisions: (ApprovalDecision & { nodeId: string })[]) => void;
    } = {},
  ): AsyncGenerator<{ id: number; event: EventJson }> {
    const { onVotes, onDecisions } = options;
    const told = onVotes && ((votes: { nodeId: string; vote: { by: string; at: string } }[]) => onVotes(votes.map((v) => ({ nodeId: v.nodeId, by: v.vote.by, at: v.vote.at }))));
    const decided =
      onDecisions &&
      ((decisions: (ApprovalDecision & { id: number; runId: string; nodeId: string })[]) =>
        onDecisions(decisions.map(({ id: _id, runId: _runId, ...d }) => d)));
    const watching = { afterId: options.lastEventId, signal: options.signal, ...(told ? { onVotes: told } : {}), ...(decided ? { onDecisions: decided } : {}) };
    for await (const { id, event } of this.#engine.watch(workflowId, watching)) {
      yield { id, event: eventJson(event) };
    }
  }

  async signal(workflowId: string, name: string, payload: unknown, by: string): Promise<{ workflowId: string; runId: string }> {
    return this.#engine.signal(workflowId, name, payload, by);
  }

  async cancel(workflowId: string, by: string, reason?: string): Promise<void> {
    await this.#engine.cancel(workflowId, { by, reason });
  }

  async terminate(workflowId: string, by: string, reason?: string): Promise<void> {
    await this.#engine.terminate(workflowId, { by, reason });
  }

  async retry(workflowId: string, by: string): Promise<{ workflowId: string; runId: string }> {
    const { runId } = await this.#engine.retry(workflowId, by);
    return { workflowId, runId };
  }

  // --------------------------------------------------------------------------------------------
  // Outbox

  /**
   * What the demo plugins did outside Weft, newest first: the e-mails and payments of the
   * outbox file (WEFT_OUTBOX) of this process, which runs the worker in `weft dev`.
   */
  async outbox(options: { limit?: number; workflowId?: string } = {}): Promise<OutboxEntry[]> {
    return readOutbox(options);
  }

  // --------------------------------------------------------------------------------------------
  // Approvals

  /**
   * The approvals waiting for a decision that `caller` may take (permissions.ts mayDecide), oldest
   * first, each with its workflow's title: not those of runs the caller started when the approval
   * says `notStarter`, nor those the caller approved already (a quorum needs others).
   */
  async approvals(caller: Caller): Promise<PendingApproval[]> {
    const pending = (await this.#engine.approvals({ filter: (assignees) => mayDecide(caller, assignees) })).filter((a) => callerMayTake(caller, a));
    return this.#titled(pending);
  }

  /**
   * `caller`'s approvals (as `approvals` answers them) now and after each change, until
   * `signal` aborts: a new wait, a decision accepted (by anyone, before the run takes it), an
   * approval toward a quorum, a run closed. Every follower shares one read per change
   * (ApprovalsFeed); a list equal to the last one given is not given again.
   */
  async *watchApprovals(caller: Caller, options: { signal?: AbortSignal } = {}): AsyncGenerator<PendingApproval[]> {
    const { signal } = options;
    if (signal?.aborted) return;
    this.#approvalsFeed ??= new ApprovalsFeed(async () => this.#titled(await this.#engine.approvals()), this.#engine.notifier);
    // Only the newest list matters: one that came while the last was being sent replaces it.
    let latest: PendingApproval[] | undefined;
    let wake: (() => void) | undefined;
    const mine = (all: readonly PendingApproval[]) => all.filter((a) => mayDecide(caller, a.assignees) && callerMayTake(caller, a));
    const unsubscribe = this.#approvalsFeed.subscribe((all) => {
      latest = mine(all);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    let given: string | undefined;
    try {
      while (!signal?.aborted) {
        if (latest === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const list = latest;
        latest = undefined;
        const fingerprint = JSON.stringify(list);
        if (fingerprint === given) continue;
        given = fingerprint;
        yield list;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await unsubscribe();
    }
  }

  /** Approvals with their workflow's title. */
  async #titled(pending: PendingApproval[]): Promise<PendingApproval[]> {
    if (pending.length === 0) return pending;
    const titles = new Map((await listWorkflows(this.#engine.db)).map((w) => [w.name, w.title ?? w.name]));
    return pending.map((a) => ({ ...a, workflowTitle: titles.get(a.name) ?? a.name }));
  }

  /**
   * One pending approval (a decision link's page), with whether `caller` may decide it and, if
   * not, why. NOT_FOUND when the run does not wait for a decision at `nodeId`.
   */
  async approval(caller: Caller, workflowId: string, nodeId: string): Promise<ApprovalView> {
    const found = (await this.#engine.approvals({ decided: true })).find((a) => a.workflowId === workflowId && a.nodeId === nodeId);
    if (!found) throw new EngineError("NOT_FOUND", `workflow "${workflowId}" is not waiting for a decision at "${nodeId}"`);
    const titles = new Map((await listWorkflows(this.#engine.db)).map((w) => [w.name, w.title ?? w.name]));
    const { decision, ...rest } = found;
    const approval = { ...rest, workflowTitle: titles.get(found.name) ?? found.name };
    // Decided (accepted, the run not yet on): said so, whoever asks; no one may decide it again.
    if (decision) return { approval, mayDecide: false, reason: `It was ${decision.approved ? "approved" : "declined"} by ${decision.by} already.`, decided: decision };
    const mine = found.approvals.find((v) => v.by === caller.name);
    const reason = !mayDecide(caller, found.assignees)
      ? `This approval is for ${found.assignees.length === 0 ? "operators" : found.assignees.join(", ")}: you are not one of them.`
      : found.notStarter && found.startedBy === caller.name
        ? "You started this run, and this approval must be decided by someone else."
        : mine
          ? `You approved it already; it needs ${found.quorum} different approvers.`
          : undefined;
    return { approval, mayDecide: reason === undefined, ...(reason === undefined ? {} : { reason }) };
  }

  /**
   * `caller`'s decision on the approval `nodeId` of a run: NOT_FOUND for an unknown run or a
   * node not waiting; FORBIDDEN (nothing written) when the caller may not decide it; CONFLICT
   * once a decision was accepted, even before the run took it.
   */
  async decide(caller: Caller, workflowId: string, nodeId: string, decision: "approve" | "decline", comment?: string): Promise<Decision> {
    const taken = await this.#engine.decide(workflowId, decision, { nodeId, by: caller.name, comment, mayDecide: (assignees) => mayDecide(caller, assignees) });
    return {
      workflowId: taken.workflowId,
      nodeId: taken.nodeId,
      approved: taken.approved,
      by: taken.by,
      ...(taken.comment === undefined ? {} : { comment: taken.comment }),
      at: taken.at,
      ...(taken.quorum === undefined ? {} : { quorum: taken.quorum, approvals: taken.approvals ?? [] }),
    };
  }
}

/**
 * Whether an approval `caller` may decide by its assignees is one `caller` may take: not one of
 * a run they started when it says `notStarter`, nor one they approved already (a quorum needs others).
 */
function callerMayTake(caller: Caller, a: PendingApproval): boolean {
  return !(a.notStarter && a.startedBy === caller.name) && !a.approvals.some((v) => v.by === caller.name);
}

/**
 * Etags are HTTP entity tags as they are (quoted, strong), so that the app sends them as its
 * ETag header unchanged: "r<revision>" for a saved draft, "v<version>" for a version's document.
 */
function draftEtag(revision: number): string {
  return `"r${revision}"`;
}

function notFound(name: string): EngineError {
  return new EngineError("NOT_FOUND", `no workflow named "${name}": it has neither a draft nor a deployed version`);
}

function checkName(name: string): void {
  if (typeof name === "string" && name.length <= MAX_WORKFLOW_NAME && WORKFLOW_NAME.test(name)) return;
  const message = `"${String(name).slice(0, 120)}" is not a workflow name: lower-case letters, digits and dashes, starting with a letter, at most ${MAX_WORKFLOW_NAME} characters`;
  throw new EngineError("INVALID", message, [{ id: "name", message }], true);
}

/** The compiler's diagnostics of a document, as deploy would report them. */
async function diagnostics(document: unknown): Promise<DocumentError[]> {
  // Loaded on demand, as by deploy: the compiler (and TypeScript) only where documents are.
  const { checkDocument } = await import("./deploy.ts");
  return checkDocument(document);
}

/** A version's nodes by id, with the name each is drawn with (its label, else its id). */
function nodeNames(document: unknown): Map<string, string> {
  const nodes = isObject(document) && Array.isArray(document.nodes) ? document.nodes : [];
  const names = new Map<string, string>();
  for (const n of nodes) if (isObject(n) && typeof n.id === "string") names.set(n.id, typeof n.label === "string" && n.label.trim() ? n.label.trim() : n.id);
  return names;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
