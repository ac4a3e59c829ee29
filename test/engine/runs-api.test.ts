// What the HTTP API needs of runs, from the engine (Engine.runs, waiting, decide, approvals,
// watch and the `by` fields), on SQLite and PostgreSQL, with an in-process worker where runs
// must move: the runs list walked page by page sees every run once; the node a run waits at
// and whether it is retrying follow the worker; the history says who did what; a decision not
// allowed writes nothing and only the first decision counts, even two at once; and an event
// stream resumed from any id misses nothing and repeats nothing across continue-as-new.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActivityDefinition } from "../../engine/activity.ts";
import { Engine } from "../../engine/engine.ts";
import { EngineError } from "../../engine/errors.ts";
import { insertRun, type RunStatus } from "../../engine/run-store.ts";
import type { RecordedEvent } from "../../engine/runtime/events.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { line, type Doc } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("runs-api");
afterAll(() => databases.cleanup());

const ticks = new Map<string, number>();
const ACTIVITIES: ActivityDefinition[] = [
  { name: "app.ok", run: () => ({ ok: true }) },
  {
    name: "app.fail",
    run: () => {
      throw Object.assign(new Error("the system it calls is down"), { type: "Down" });
    },
  },
  {
    name: "app.tick",
    run: (input: { key: string }) => {
      const i = (ticks.get(input.key) ?? 0) + 1;
      ticks.set(input.key, i);
      return { i };
    },
  },
];

const HOLD = line("app-hold", [
  { id: "first", type: "step", activity: "app.ok" },
  { id: "hold", type: "signal", signal: "go", output: "got" },
  { id: "end", type: "end" },
]);
/** A step that fails and is tried again in an hour: it stays retrying. */
const FLAKY = line("app-flaky", [
  { id: "try", type: "step", activity: "app.fail", retry: { initialInterval: "1h", maximumAttempts: 3 } },
  { id: "end", type: "end" },
]);
/** A step that fails for good at once: the run fails there, and can be retried. */
const BRITTLE = line("app-brittle", [
  { id: "try", type: "step", activity: "app.fail", retry: { maximumAttempts: 1 } },
  { id: "end", type: "end" },
]);
/** Two approvals one after the other, whatever the first decides. */
const APPROVAL: Doc = {
  name: "app-approval",
  nodes: [
    { id: "start", type: "start" },
    { id: "review", type: "approval", title: "Review", assignees: ["finance"], output: "decision" },
    { id: "second", type: "approval", title: "Again", assignees: ["legal"] },
    { id: "end", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "review" },
    { id: "e2", source: "review", target: "second", sourceHandle: "approved" },
    { id: "e3", source: "review", target: "second", sourceHandle: "declined" },
    { id: "e4", source: "second", target: "end", sourceHandle: "approved" },
    { id: "e5", source: "second", target: "end", sourceHandle: "declined" },
  ],
};
const LOOP: Doc = {
  name: "app-loop",
  nodes: [
    { id: "start", type: "start" },
    { id: "tick", type: "step", activity: "app.tick", input: { key: "=workflow.id" }, output: "t" },
    { id: "more", type: "branch", conditions: [{ handle: "done", when: "=t.i >= input.n" }] },
    { id: "end", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "tick" },
    { id: "e2", source: "tick", target: "more" },
    { id: "e3", source: "more", target: "end", sourceHandle: "done" },
    { id: "e4", source: "more", target: "tick", sourceHandle: "else" },
  ],
};

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error("expected an EngineError, got a result");
}

describe.each(["sqlite", "postgresql"] as const)("runs for the app on %s", (kind) => {
  let url: string;
  let engine: Engine;
  let worker: Worker | undefined;

  beforeEach(async () => {
    url = databases.freshUrl(kind);
    engine = await Engine.open({ url });
    for (const doc of [HOLD, FLAKY, BRITTLE, APPROVAL, LOOP]) await engine.deploy(doc);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await engine.close();
  });

  async function startWorker(options: { historyLimit?: number } = {}): Promise<void> {
    worker = new Worker(engine, new Map(ACTIVITIES.map((a) => [a.name, a])), { pollMs: 50, leaseMs: 5_000, log: () => {}, ...options });
    await worker.start();
  }

  const history = (workflowId: string) => engine.history(workflowId);
  const ofType = <T extends RecordedEvent["type"]>(events: RecordedEvent[], type: T) => events.filter((e): e is Extract<RecordedEvent, { type: T }> => e.type === type);

  // ----------------------------------------------------------------------------------------------

  it("walks every run exactly once, newest first, page by page, with each filter and the workflow id prefix taken literally", async () => {
    // 230 runs written as rows: many share a start time (the order then falls to the run id),
    // some continued as new (listed once, by the run that carries on), ids with % and _.
    type Row = { runId: string; workflowId: string; name: string; status: RunStatus; startedAt: number; waitNode: string | null };
    const rows: Row[] = [];
    const base = 1_800_000_000_000;
    const statuses: RunStatus[] = ["running", "completed", "failed", "cancelled", "terminated", "continued"];
    const prefixes = ["w_", "w%", "wx", "ab", "w"];
    for (let i = 0; i < 230; i++) {
      const status = statuses[i % 6]!;
      rows.push({
        runId: `r-${String((i * 7919) % 1000).padStart(4, "0")}-${i}`,
        workflowId: `${prefixes[i % 5]}${i}`,
        name: i % 3 === 0 ? HOLD.name : FLAKY.name,
        status,
        startedAt: base + (i % 23) * 1000,
        waitNode: status === "running" ? (i % 4 === 0 ? "hold" : "first") : null,
      });
    }
    await engine.db.transaction(async (tx) => {
      for (const r of rows) {
        await insertRun(tx, engine.codec, { runId: r.runId, workflowId: r.workflowId, name: r.name, version: 1, hash: "h", input: null, startedAt: r.startedAt, firstRunId: r.runId, continuedFromRunId: null, wait: r.waitNode ? { nodeId: r.waitNode, kind: "activity" as const, since: r.startedAt, retrying: false, seq: 1 } : null }, 1);
        if (r.status !== "running") await tx.execute("UPDATE run SET status = ?, closed_at = ? WHERE run_id = ?", [r.status, r.startedAt + 5, r.runId]);
      }
    });
    const newestFirst = (a: Row, b: Row) => b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
    const walk = async (query: Parameters<Engine["runs"]>[0], limit: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        const page = await engine.runs({ ...query, limit, cursor });
        expect(page.runs.length).toBeLessThanOrEqual(limit);
        seen.push(...page.runs.map((r) => r.runId));
        if (!page.next) break;
        expect(page.runs).toHaveLength(limit);
        cursor = page.next;
        expect(pages).toBeLessThan(300);
      }
      return seen;
    };
    const expected = (keep: (r: Row) => boolean) => rows.filter(keep).sort(newestFirst).map((r) => r.runId);

    const all = await walk({}, 7);
    expect(all).toEqual(expected((r) => r.status !== "continued"));
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(150);

    expect(await walk({ status: "failed" }, 5)).toEqual(expected((r) => r.status === "failed"));
    expect(await walk({ name: HOLD.name }, 9)).toEqual(expected((r) => r.name === HOLD.name && r.status !== "continued"));
    expect(await walk({ name: FLAKY.name, status: "running" }, 4)).toEqual(expected((r) => r.name === FLAKY.name && r.status === "running"));
    // % and _ are characters of the prefix, not wildcards; "w" matches all of w_, w% and wx.
    expect(await walk({ q: "w_" }, 6)).toEqual(expected((r) => r.workflowId.startsWith("w_") && r.status !== "continued"));
    expect(await walk({ q: "w%" }, 6)).toEqual(expected((r) => r.workflowId.startsWith("w%") && r.status !== "continued"));
    expect(await walk({ q: "w" }, 50)).toEqual(expected((r) => r.workflowId.startsWith("w") && r.status !== "continued"));
    expect(await walk({ q: "w_1" }, 3)).toEqual(expected((r) => r.workflowId.startsWith("w_1") && r.status !== "continued"));
    expect(await walk({ q: "nothing" }, 3)).toEqual([]);
    // The node open runs wait at.
    expect(await walk({ node: "hold" }, 4)).toEqual(expected((r) => r.status === "running" && r.waitNode === "hold"));
    expect(await walk({ node: "hold", name: HOLD.name, q: "w" }, 4)).toEqual(
      expected((r) => r.status === "running" && r.waitNode === "hold" && r.name === HOLD.name && r.workflowId.startsWith("w")),
    );

    const first = await engine.runs({ node: "first", limit: 1 });
    expect(first.runs[0]).toMatchObject({ status: "running", waitingAt: "first" });
    expect((await engine.runs({ status: "completed", limit: 1 })).runs[0]).not.toHaveProperty("waitingAt");
    expect((await engine.runs()).runs).toHaveLength(50); // the default page

    for (const cursor of ["nonsense!", Buffer.from("[1,2]").toString("base64url"), Buffer.from("{").toString("base64url"), ""]) {
      const err = await rejection(engine.runs({ cursor }));
      expect(err).toMatchObject({ code: "BAD_REQUEST", errors: [{ id: "cursor" }] });
      expect(err.message).toMatch(/cursor/);
    }
    for (const limit of [0, 201, 1.5]) expect(await rejection(engine.runs({ limit }))).toMatchObject({ code: "BAD_REQUEST", errors: [{ id: "limit" }] });
    expect(await rejection(engine.runs({ status: "continued" }))).toMatchObject({ code: "BAD_REQUEST", errors: [{ id: "status" }] });
  });

  it("says per node where open runs wait and which retry, and lists the runs waiting at a node, as a worker moves them", async () => {
    await startWorker();
    for (let i = 0; i < 3; i++) await engine.start(HOLD.name, { workflowId: `hold-${i}` });
    for (let i = 0; i < 2; i++) await engine.start(FLAKY.name, { workflowId: `flaky-${i}` });

    const hold = await until("three runs at hold", () => engine.waiting(HOLD.name), (w) => w.length === 1 && w[0]!.nodeId === "hold" && w[0]!.runs === 3);
    expect(hold).toEqual([{ nodeId: "hold", runs: 3, oldestSince: expect.any(String), retrying: 0, kind: "signal" }]);
    expect(Date.parse(hold[0]!.oldestSince)).toBeLessThanOrEqual(Date.now());
    const flaky = await until("two runs retrying", () => engine.waiting(FLAKY.name), (w) => w[0]?.retrying === 2);
    expect(flaky).toEqual([{ nodeId: "try", runs: 2, oldestSince: expect.any(String), retrying: 2, kind: "activity", activities: ["app.fail"] }]);
    // Retrying keeps the time the step was first scheduled, not that of its failure.
    const scheduled = await Promise.all(["flaky-0", "flaky-1"].map(async (id) => ofType(await history(id), "ActivityScheduled")[0]!.at));
    expect(Date.parse(flaky[0]!.oldestSince)).toBe(Math.min(...scheduled));

    const atHold = await engine.runs({ node: "hold" });
    expect(atHold.runs.map((r) => r.workflowId).sort()).toEqual(["hold-0", "hold-1", "hold-2"]);
    expect(atHold.runs.every((r) => r.waitingAt === "hold" && r.status === "running")).toBe(true);
    expect((await engine.runs({ name: FLAKY.name, node: "try" })).runs).toHaveLength(2);
    expect((await engine.runs({ name: HOLD.name, node: "try" })).runs).toHaveLength(0);

    // A signal moves one on: it waits nowhere once it has completed.
    await engine.signal("hold-1", "go", { n: 1 });
    await until("hold-1 to complete", () => engine.describe("hold-1"), (d) => d.status === "completed");
    expect(await engine.waiting(HOLD.name)).toEqual([{ nodeId: "hold", runs: 2, oldestSince: expect.any(String), retrying: 0, kind: "signal" }]);
    expect((await engine.runs({ node: "hold" })).runs.map((r) => r.workflowId).sort()).toEqual(["hold-0", "hold-2"]);
    expect((await engine.runs({ q: "hold-1" })).runs[0]).not.toHaveProperty("waitingAt");

    // Cancelled: it waits nowhere either.
    await engine.cancel("flaky-0", { by: "ops" });
    expect(await engine.waiting(FLAKY.name)).toEqual([{ nodeId: "try", runs: 1, oldestSince: expect.any(String), retrying: 1, kind: "activity", activities: ["app.fail"] }]);

    expect(await engine.waiting(BRITTLE.name)).toEqual([]); // known, no open runs
    expect(await rejection(engine.waiting("no-such-workflow"))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("records who started, signalled, decided, retried, cancelled and terminated a run", async () => {
    await startWorker();
    await engine.start(HOLD.name, { workflowId: "who-1", by: "ada" });
    await until("who-1 at hold", () => engine.describe("who-1"), (d) => d.pending[0]?.nodeId === "hold");
    await engine.signal("who-1", "go", { n: 1 }, "ops");
    await until("who-1 to complete", () => engine.describe("who-1"), (d) => d.status === "completed");
    const events = await history("who-1");
    expect(events[0]).toMatchObject({ type: "WorkflowStarted", startedBy: "ada" });
    expect(ofType(events, "SignalReceived")).toEqual([expect.objectContaining({ signal: "go", by: "ops", payload: { n: 1 } })]);

    await engine.start(HOLD.name, { workflowId: "who-2" });
    await engine.cancel("who-2", { by: "ops", reason: "not needed" });
    expect((await history("who-2")).at(-1)).toMatchObject({ type: "WorkflowCancelled", by: "ops", reason: "not needed" });
    expect((await history("who-2"))[0]).not.toHaveProperty("startedBy");
    await engine.start(HOLD.name, { workflowId: "who-3" });
    await engine.terminate("who-3", { by: "admin" });
    expect((await history("who-3")).at(-1)).toEqual(expect.objectContaining({ type: "WorkflowTerminated", by: "admin" }));
    expect((await history("who-3")).at(-1)).not.toHaveProperty("reason");
    // The command's way, a reason alone, still works.
    await engine.start(HOLD.name, { workflowId: "who-4" });
    await engine.cancel("who-4", "changed my mind");
    expect((await history("who-4")).at(-1)).toEqual(expect.objectContaining({ type: "WorkflowCancelled", reason: "changed my mind" }));

    await engine.start(BRITTLE.name, { workflowId: "who-5", by: "ada" });
    await until("who-5 to fail", () => engine.describe("who-5"), (d) => d.status === "failed");
    const retried = await engine.retry("who-5", "ops");
    const again = await history("who-5");
    expect(again[0]).toMatchObject({ type: "WorkflowStarted", runId: retried.runId, startedBy: "ada", retriedBy: "ops", retriedFromRunId: retried.retriedFromRunId });
    await until("who-5 to fail again", () => engine.describe("who-5"), (d) => d.status === "failed");

    await engine.start(APPROVAL.name, { workflowId: "who-6", by: "ada" });
    const decided = await engine.decide("who-6", "approve", { nodeId: "review", by: "fin1", comment: "fine" });
    expect(decided).toEqual({ workflowId: "who-6", runId: expect.any(String), nodeId: "review", approved: true, by: "fin1", comment: "fine", at: expect.any(String) });
    await until("who-6 at its second approval", () => engine.describe("who-6"), (d) => d.pending[0]?.nodeId === "second");
    expect(ofType(await history("who-6"), "SignalReceived")).toEqual([
      expect.objectContaining({ signal: "approve", nodeId: "review", by: "fin1", payload: { nodeId: "review", by: "fin1", comment: "fine" } }),
    ]);
  });

  it("takes a decision only from who may decide (a refusal writes nothing), and only the first one, even two at once", async () => {
    const signals = async () => Number((await engine.db.query("SELECT COUNT(*) AS n FROM signal"))[0]!.n);
    const finance = (assignees: string[]) => assignees.includes("finance");
    const nobody = () => false;

    // Right after the start, before any worker took the run on: its code's first request counts.
    const { runId } = await engine.start(APPROVAL.name, { workflowId: "d-1" });
    const historyBefore = await history("d-1");
    const refused = await rejection(engine.decide("d-1", "approve", { nodeId: "review", by: "eve", mayDecide: nobody }));
    expect(refused).toMatchObject({ code: "FORBIDDEN" });
    expect(refused.message).toContain("finance");
    expect(await signals()).toBe(0);
    expect(await history("d-1")).toEqual(historyBefore);
    // Not waiting there (yet): "second" comes after "review".
    expect(await rejection(engine.decide("d-1", "approve", { nodeId: "second", by: "lee" }))).toMatchObject({ code: "NOT_FOUND", message: 'workflow "d-1" is not waiting for a decision at "second"' });
    expect(await rejection(engine.decide("d-1", "approve", { nodeId: "nope", by: "lee" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejection(engine.decide("unknown-run", "approve", { nodeId: "review", by: "lee" }))).toMatchObject({ code: "NOT_FOUND" });

    const taken = await engine.decide("d-1", "decline", { nodeId: "review", by: "fin1", comment: "too much", mayDecide: finance });
    expect(taken).toMatchObject({ workflowId: "d-1", runId, nodeId: "review", approved: false, by: "fin1", comment: "too much" });
    expect(Date.parse(taken.at)).toBeLessThanOrEqual(Date.now());
    // A second, before the run has taken the first: refused, naming who decided.
    const second = await rejection(engine.decide("d-1", "approve", { nodeId: "review", by: "fin2", mayDecide: finance }));
    expect(second).toMatchObject({ code: "CONFLICT" });
    expect(second.message).toContain("already decided by fin1");
    expect(await rejection(engine.signal("d-1", "approve", { nodeId: "review", by: "fin2" }))).toMatchObject({ code: "CONFLICT" });
    expect(await signals()).toBe(1);

    // The run takes it (declined: the workflow goes on to "second"); a decision now is still a conflict.
    await startWorker();
    await until("d-1 at its second approval", () => engine.describe("d-1"), (d) => d.pending[0]?.nodeId === "second");
    expect(await rejection(engine.decide("d-1", "approve", { nodeId: "review", by: "fin2" }))).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("by fin1") });
    // The inbox lists "second" for legal only.
    expect(await engine.approvals({ filter: finance })).toEqual([]);
    expect(await engine.approvals({ filter: (a) => a.includes("legal") })).toEqual([
      expect.objectContaining({ workflowId: "d-1", nodeId: "second", title: "Again", assignees: ["legal"], since: expect.any(String) }),
    ]);
    expect(await rejection(engine.decide("d-1", "approve", { nodeId: "second", by: "fin1", mayDecide: finance }))).toMatchObject({ code: "FORBIDDEN" });
    await engine.decide("d-1", "approve", { by: "lee" }); // the one it waits for, without naming it
    await until("d-1 to complete", () => engine.describe("d-1"), (d) => d.status === "completed");
    expect(await rejection(engine.decide("d-1", "approve", { nodeId: "second", by: "lee" }))).toMatchObject({ code: "CONFLICT" });
    await worker!.stop();
    worker = undefined;

    // Two at once, through two engines (two connections): one is taken, the other refused.
    const other = await Engine.open({ url });
    try {
      for (let i = 0; i < 6; i++) {
        const workflowId = `d-race-${i}`;
        await engine.start(APPROVAL.name, { workflowId });
        const outcomes = await Promise.allSettled([
          engine.decide(workflowId, "approve", { nodeId: "review", by: "fin1", mayDecide: finance }),
          other.decide(workflowId, "decline", { nodeId: "review", by: "fin2", mayDecide: finance }),
        ]);
        expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
        const lost = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
        expect(lost.reason).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/already decided by fin[12]/) });
        const rows = await engine.db.query("SELECT COUNT(*) AS n FROM signal s JOIN run r ON r.run_id = s.run_id WHERE r.workflow_id = ?", [workflowId]);
        expect(Number(rows[0]!.n)).toBe(1);
      }
    } finally {
      await other.close();
    }
  });

  it("lists pending approvals oldest first, for who may decide them", async () => {
    await startWorker();
    for (let i = 0; i < 4; i++) {
      await engine.start(APPROVAL.name, { workflowId: `inbox-${i}` });
      await until(`inbox-${i} at review`, () => engine.approvals(), (a) => a.length === i + 1);
    }
    const all = await engine.approvals();
    expect(all.map((a) => a.workflowId)).toEqual(["inbox-0", "inbox-1", "inbox-2", "inbox-3"]);
    expect(all[0]).toMatchObject({ nodeId: "review", title: "Review", assignees: ["finance"] });
    expect(await engine.approvals({ assignee: "finance", limit: 2 })).toHaveLength(2);
    let asked = 0;
    expect(await engine.approvals({ filter: () => (asked++, true) })).toHaveLength(4);
    expect(asked).toBe(1); // once per distinct list of assignees
  });

  it("watch: event ids count on across continue-as-new, and from any id the events after it come, each once", async () => {
    // A history limit of 8 events: the loop continues as new every few ticks.
    await startWorker({ historyLimit: 8 });
    ticks.clear();
    await engine.start(LOOP.name, { workflowId: "loop-1", input: { n: 14 } });

    // One watcher from the start to the end; another stops part-way and resumes from its last id.
    // (From id 0: the first run's events, even if the run has continued as new meanwhile.)
    const full: { id: number; runId: string; event: RecordedEvent }[] = [];
    const whole = (async () => {
      for await (const item of engine.watch("loop-1", { afterId: 0, pollMs: 20 })) full.push(item);
    })();
    const part: number[] = [];
    const stop = new AbortController();
    for await (const { id } of engine.watch("loop-1", { afterId: 0, signal: stop.signal, pollMs: 20 })) {
      part.push(id);
      if (part.length === 13) stop.abort();
    }
    for await (const { id } of engine.watch("loop-1", { afterId: part.at(-1)!, pollMs: 20 })) part.push(id);
    await whole;

    const ids = full.map((f) => f.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    expect(part).toEqual(ids);
    const runs = [...new Set(full.map((f) => f.runId))];
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(full.filter((f) => f.event.type === "ContinuedAsNew")).toHaveLength(runs.length - 1);
    expect(full.at(-1)!.event.type).toBe("WorkflowCompleted");
    // Within a run the id is its seq plus the events of the runs before it.
    for (const [i, f] of full.entries()) if (i > 0 && f.runId !== full[i - 1]!.runId) expect(f.event.seq).toBe(1);

    // After the end: from any id, exactly what follows it; from the last one, nothing.
    const boundaries = full.flatMap((f, i) => (f.event.type === "ContinuedAsNew" ? [i, i + 1] : []));
    for (const after of [0, 1, 5, ...boundaries, ids.length - 1, ids.length]) {
      const got: number[] = [];
      for await (const { id } of engine.watch("loop-1", { afterId: after, pollMs: 20 })) got.push(id);
      expect(got, `after ${after}`).toEqual(ids.slice(after));
    }
    // Without an id: the current run's events, with the ids they have in the chain.
    const current: number[] = [];
    for await (const { id, runId } of engine.watch("loop-1", { pollMs: 20 })) {
      expect(runId).toBe(runs.at(-1));
      current.push(id);
    }
    expect(current).toEqual(ids.filter((_, i) => full[i]!.runId === runs.at(-1)));
    await expect(async () => {
      for await (const _ of engine.watch("loop-1", { afterId: -1 })) void _;
    }).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
