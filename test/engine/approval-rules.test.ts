// Approvals with rules of their own (issue 12): `notStarter` (the person who started the run may
// not decide it: FORBIDDEN, nothing written) and `quorum` (N distinct people must approve; one
// decline declines; a second approval by the same person is a CONFLICT), on SQLite and
// PostgreSQL, with a worker taking the decision: the run goes on only once the quorum is met,
// its decision lists every approval, and the inbox shows the approvals so far.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { EngineError } from "../../engine/errors.ts";
import { Weft } from "../../engine/facade.ts";
import { Worker } from "../../engine/worker/worker.ts";
import type { Doc } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("approval-rules");
afterAll(() => databases.cleanup());

/** Two of finance must approve, and not the person who started the run. */
const TWO: Doc = {
  name: "two-approvers",
  title: "Two approvers",
  nodes: [
    { id: "start", type: "start" },
    { id: "review", type: "approval", title: "Review", assignees: ["finance"], quorum: 2, notStarter: true, output: "decision" },
    { id: "ok", type: "end", result: "=decision" },
    { id: "no", type: "end", status: "failed", error: "=`declined by ${decision.by}`" },
  ],
  edges: [
    { id: "e1", source: "start", target: "review" },
    { id: "e2", source: "review", target: "ok", sourceHandle: "approved" },
    { id: "e3", source: "review", target: "no", sourceHandle: "declined" },
  ],
};

const person = (name: string, roles = ["finance"]) => ({ name, displayName: name, roles });

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error("expected an EngineError, got a result");
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(["sqlite", "postgresql"] as const)("approval rules on %s", (kind) => {
  let engine: Engine;
  let weft: Weft;
  let worker: Worker;

  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    weft = Weft.over(engine);
    await engine.deploy(TWO);
    worker = new Worker(engine, new Map(), { pollMs: 50, leaseMs: 5_000, log: () => {} });
    await worker.start();
  });
  afterEach(async () => {
    await worker.stop();
    await engine.close();
  });

  it("refuses the starter, needs two different approvers, and goes on with both approvals", async () => {
    await weft.start(TWO.name, { workflowId: "t-1", input: { amount: 5 } }, "fin1");
    await until("t-1 at review", () => engine.describe("t-1"), (d) => d.pending[0]?.kind === "approval");
    const before = await engine.history("t-1");

    // fin1 started it: not theirs to decide, and it is not in their inbox.
    const own = await rejection(weft.decide(person("fin1"), "t-1", "review", "approve"));
    expect(own).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("started the run") });
    expect(await weft.approvals(person("fin1"))).toEqual([]);
    expect((await weft.approval(person("fin1"), "t-1", "review")).mayDecide).toBe(false);

    // fin2's inbox: 0 of 2, with the workflow's title, the input and who started it.
    expect(await weft.approvals(person("fin2"))).toEqual([
      expect.objectContaining({ workflowId: "t-1", nodeId: "review", workflowTitle: "Two approvers", input: { amount: 5 }, startedBy: "fin1", quorum: 2, approvals: [], notStarter: true }),
    ]);
    const first = await weft.decide(person("fin2"), "t-1", "review", "approve", "fine by me");
    expect(first).toMatchObject({ approved: true, by: "fin2", quorum: 2, approvals: [{ by: "fin2", comment: "fine by me", at: expect.any(String) }] });
    // Once is enough: a second approval by fin2 is a conflict, and fin2 no longer sees it.
    expect(await rejection(weft.decide(person("fin2"), "t-1", "review", "approve"))).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("2 different approvers") });
    expect(await weft.approvals(person("fin2"))).toEqual([]);
    // fin3 sees 1 of 2.
    const [item] = await weft.approvals(person("fin3"));
    expect(item).toMatchObject({ quorum: 2, approvals: [{ by: "fin2", comment: "fine by me" }] });
    // The run still waits: a vote short of the quorum is no event.
    await new Promise((r) => setTimeout(r, 300));
    expect(await engine.history("t-1")).toEqual(before);
    const described = await engine.describe("t-1");
    expect(described.status).toBe("running");
    // The run's page shows the approvals so far on the node (1 of 2, approved by fin2).
    expect(described.pending).toEqual([expect.objectContaining({ kind: "approval", nodeId: "review", quorum: 2, approvals: [{ by: "fin2", comment: "fine by me", at: expect.any(String) }] })]);

    const second = await weft.decide(person("fin3"), "t-1", "review", "approve");
    expect(second.approvals?.map((a) => a.by)).toEqual(["fin2", "fin3"]);
    const done = await until("t-1 to complete", () => engine.describe("t-1"), (d) => d.status === "completed");
    expect(done.result).toMatchObject({ approved: true, by: "fin3", approvals: [{ by: "fin2", comment: "fine by me" }, { by: "fin3" }] });
    const received = (await engine.history("t-1")).filter((e) => e.type === "SignalReceived");
    expect(received).toHaveLength(1);
    expect(await rejection(weft.decide(person("fin4"), "t-1", "review", "approve"))).toMatchObject({ code: "CONFLICT" });
  });

  it("tells a follower of the run's history of an approval short of the quorum, which appends no event", async () => {
    await weft.start(TWO.name, { workflowId: "t-4" }, "ops");
    await until("t-4 at review", () => engine.describe("t-4"), (d) => d.pending[0]?.kind === "approval");
    const told: { nodeId: string; by: string[] }[] = [];
    const types: string[] = [];
    const last = (await engine.history("t-4")).at(-1)!.seq;
    const following = (async () => {
      const onVotes = (votes: { nodeId: string; vote: { by: string } }[]) => told.push({ nodeId: votes[0]!.nodeId, by: votes.map((v) => v.vote.by) });
      for await (const { event } of engine.watch("t-4", { afterId: last, onVotes })) types.push(event.type);
    })();
    // The watch first notes the votes there are (none), telling nothing.
    await new Promise((r) => setTimeout(r, 1000));
    expect(told).toEqual([]);
    await weft.decide(person("fin1"), "t-4", "review", "approve");
    await until("the vote to be told", async () => told.length, (n) => n > 0);
    expect(told).toEqual([{ nodeId: "review", by: ["fin1"] }]);
    expect(types).toEqual([]);
    // The vote that completes the quorum takes the votes with it: events follow, and no word of votes.
    await weft.decide(person("fin2"), "t-4", "review", "approve");
    await following;
    expect(types).toContain("WorkflowCompleted");
    expect(told).toHaveLength(1);
  });

  it("tells a follower that begins after a vote of the votes there are, so that one cast after it read the run is not missed", async () => {
    await weft.start(TWO.name, { workflowId: "t-5" }, "ops");
    await until("t-5 at review", () => engine.describe("t-5"), (d) => d.pending[0]?.kind === "approval");
    // A run's page reads the run (no vote yet), then a vote is cast, then its stream begins.
    const read = await engine.describeWithHistory("t-5");
    expect(read.description.pending[0]?.approvals).toEqual([]);
    await weft.decide(person("fin1"), "t-5", "review", "approve", "first");
    const told: string[][] = [];
    const stop = new AbortController();
    const following = (async () => {
      const onVotes = (votes: { nodeId: string; vote: { by: string } }[]) => told.push(votes.map((v) => `${v.nodeId} ${v.vote.by}`));
      for await (const _ of engine.watch("t-5", { afterId: read.history.at(-1)!.seq, onVotes, signal: stop.signal })) void _;
    })();
    await until("the vote to be told", async () => told.length, (n) => n > 0, 5_000);
    expect(told).toEqual([["review fin1"]]);
    // Told once: looking again with no new vote tells nothing.
    await new Promise((r) => setTimeout(r, 600));
    expect(told).toHaveLength(1);
    stop.abort();
    await following;
  });

  it("declines at the first decline, whatever the approvals so far", async () => {
    await weft.start(TWO.name, { workflowId: "t-2" }, "ops");
    await until("t-2 at review", () => engine.describe("t-2"), (d) => d.pending[0]?.kind === "approval");
    await weft.decide(person("fin1"), "t-2", "review", "approve");
    const declined = await weft.decide(person("fin2"), "t-2", "review", "decline", "no");
    expect(declined).toMatchObject({ approved: false, by: "fin2", approvals: [{ by: "fin1" }] });
    const failed = await until("t-2 to fail", () => engine.describe("t-2"), (d) => d.status === "failed");
    expect(failed.error?.message).toBe("declined by fin2");
    expect(await rejection(weft.decide(person("fin3"), "t-2", "review", "approve"))).toMatchObject({ code: "CONFLICT" });
  });

  it("takes two approvals sent at once by different people as the quorum, once", async () => {
    await weft.start(TWO.name, { workflowId: "t-3" }, "ops");
    await until("t-3 at review", () => engine.describe("t-3"), (d) => d.pending[0]?.kind === "approval");
    const outcomes = await Promise.allSettled([
      weft.decide(person("fin1"), "t-3", "review", "approve"),
      weft.decide(person("fin2"), "t-3", "review", "approve"),
      weft.decide(person("fin1"), "t-3", "review", "approve"),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    const done = await until("t-3 to complete", () => engine.describe("t-3"), (d) => d.status === "completed");
    expect((done.result as { approvals: { by: string }[] }).approvals.map((a) => a.by).sort()).toEqual(["fin1", "fin2"]);
  });
});
