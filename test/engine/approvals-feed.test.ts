// The approvals inbox followed live (issue 12: "a decision by a colleague removes the item"),
// on SQLite and PostgreSQL: Weft.watchApprovals gives each follower their own list at once and
// again at each change; a decision leaves every inbox the moment it is accepted, with the
// worker stopped (nobody takes it), and the decision link's view and the run's watch say who
// decided; a new wait, a run cancelled and an approval toward a quorum show too; and fifty
// followers share one read of the approvals per change, not one each.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { Weft } from "../../engine/facade.ts";
import type { PendingApproval } from "../../engine/views.ts";
import { Worker } from "../../engine/worker/worker.ts";
import type { Doc } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("approvals-feed");
afterAll(() => databases.cleanup());

const approvalDoc = (name: string, extra: Doc = {}): Doc => ({
  name,
  title: `Review (${name})`,
  nodes: [
    { id: "start", type: "start" },
    { id: "review", type: "approval", title: "Review", assignees: ["finance"], output: "decision", ...extra },
    { id: "ok", type: "end", result: "=decision" },
    { id: "no", type: "end", status: "failed", error: "declined" },
  ],
  edges: [
    { id: "e1", source: "start", target: "review" },
    { id: "e2", source: "review", target: "ok", sourceHandle: "approved" },
    { id: "e3", source: "review", target: "no", sourceHandle: "declined" },
  ],
});
const ONE = approvalDoc("one-approver");
const TWO = approvalDoc("two-approvers", { quorum: 2 });

const person = (name: string, roles = ["finance"]) => ({ name, displayName: name, roles });

/** Follows `name`'s approvals: each list given, with when. */
function follow(weft: Weft, name: string, roles?: string[]) {
  const stop = new AbortController();
  const lists: { at: number; ids: string[]; list: PendingApproval[] }[] = [];
  const done = (async () => {
    for await (const list of weft.watchApprovals(person(name, roles), { signal: stop.signal })) {
      lists.push({ at: Date.now(), ids: list.map((a) => a.workflowId), list });
    }
  })();
  return {
    lists,
    last: () => lists.at(-1),
    /** The first list since `from` that `ok` says yes to, and when it came. */
    async until(what: string, ok: (ids: string[], list: PendingApproval[]) => boolean, from = 0, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = lists.find((l) => l.at >= from && ok(l.ids, l.list));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`${name}: timed out waiting for ${what}; lists given: ${JSON.stringify(lists.map((l) => l.ids))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() {
      stop.abort();
      await done;
    },
  };
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(["sqlite", "postgresql"] as const)("the approvals inbox followed live on %s", (kind) => {
  let engine: Engine;
  let weft: Weft;
  let worker: Worker | undefined;
  const startWorker = async () => {
    worker = new Worker(engine, new Map(), { pollMs: 50, leaseMs: 5_000, log: () => {} });
    await worker.start();
  };
  const stopWorker = async () => {
    await worker?.stop();
    worker = undefined;
  };
  const atReview = (workflowId: string) => until(`${workflowId} at review`, () => engine.describe(workflowId), (d) => d.pending[0]?.kind === "approval");

  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    weft = Weft.over(engine);
    await engine.deploy(ONE);
    await engine.deploy(TWO);
    await startWorker();
  });
  afterEach(async () => {
    await stopWorker();
    await engine.close();
  });

  it("a colleague's decision leaves the inbox as soon as it is accepted, with no worker to take it; the decision link and the run's watch say who decided", async () => {
    await weft.start(ONE.name, { workflowId: "a-1", input: { amount: 5 } }, "ops");
    await atReview("a-1");
    const fin1 = follow(weft, "fin1");
    const ops = follow(weft, "ops", ["operator"]);
    try {
      const first = await fin1.until("a-1 listed", (ids) => ids.includes("a-1"));
      expect(first.list[0]).toMatchObject({ workflowId: "a-1", nodeId: "review", workflowTitle: "Review (one-approver)", input: { amount: 5 } });
      // ops is not in finance: nothing for them, said once.
      await ops.until("ops's empty list", (ids) => ids.length === 0);

      // Nobody takes the decision from here on: it is only accepted.
      await stopWorker();
      const decisions: unknown[] = [];
      const watching = new AbortController();
      const following = (async () => {
        for await (const _ of weft.watch("a-1", { signal: watching.signal, lastEventId: (await engine.history("a-1")).at(-1)!.seq, onDecisions: (d) => decisions.push(...d) })) {
          // no events: the run does not move
        }
      })();
      const sent = Date.now();
      const decision = await weft.decide(person("fin2"), "a-1", "review", "approve", "fine by me");
      const acknowledged = Date.now();
      const gone = await fin1.until("a-1 gone from fin1's inbox", (ids) => !ids.includes("a-1"), sent);
      console.log(`${kind}: decide acknowledged in ${acknowledged - sent} ms; gone from a follower's inbox ${gone.at - acknowledged} ms after`);
      expect(gone.at - acknowledged).toBeLessThan(1000);

      // Still waiting at the approval: the run has not taken it.
      // Its page says the decision came, and waits for a worker (it is not held).
      expect((await engine.describe("a-1")).pending[0]).toMatchObject({ kind: "approval", nodeId: "review", received: { signal: "approve", by: "fin2", at: decision.at, held: false } });
      expect((await engine.history("a-1")).some((e) => e.type === "SignalReceived")).toBe(false);
      // Not in anyone's inbox, asked for again; the decision link says who decided.
      expect(await weft.approvals(person("fin1"))).toEqual([]);
      expect(await weft.approval(person("fin1"), "a-1", "review")).toMatchObject({
        mayDecide: false,
        decided: { approved: true, by: "fin2", comment: "fine by me", at: decision.at },
      });
      await until("the run's watch to tell of the decision", async () => decisions.length, (n) => n > 0);
      expect(decisions).toEqual([{ nodeId: "review", approved: true, by: "fin2", comment: "fine by me", at: decision.at }]);
      watching.abort();
      await following;

      // A worker again: the run goes on; the inbox stays empty, and says nothing new.
      const given = fin1.lists.length;
      await startWorker();
      await until("a-1 to complete", () => engine.describe("a-1"), (d) => d.status === "completed");
      await new Promise((r) => setTimeout(r, 300));
      expect(fin1.lists.length).toBe(given);
      expect(ops.lists).toHaveLength(1);
    } finally {
      await fin1.stop();
      await ops.stop();
    }
  });

  it("a new wait, an approval toward a quorum and a run cancelled show in each follower's own list", async () => {
    const fin1 = follow(weft, "fin1");
    const fin2 = follow(weft, "fin2");
    try {
      await fin1.until("the empty inbox", (ids) => ids.length === 0);
      const t0 = Date.now();
      await weft.start(TWO.name, { workflowId: "q-1" }, "ops");
      const shown = await fin1.until("q-1 listed", (ids) => ids.includes("q-1"), t0);
      expect(shown.list[0]).toMatchObject({ quorum: 2, approvals: [] });
      await fin2.until("q-1 listed for fin2", (ids) => ids.includes("q-1"), t0);

      // fin2 approves: one of two. fin2 may not approve again (gone from theirs); fin1 sees who did.
      const t1 = Date.now();
      await weft.decide(person("fin2"), "q-1", "review", "approve");
      await fin2.until("q-1 gone from fin2's inbox", (ids) => !ids.includes("q-1"), t1);
      const counted = await fin1.until("1 of 2 in fin1's inbox", (_, list) => list.some((a) => a.workflowId === "q-1" && a.approvals.length === 1), t1);
      expect(counted.list.find((a) => a.workflowId === "q-1")?.approvals).toEqual([expect.objectContaining({ by: "fin2" })]);

      // The run is cancelled: gone.
      const t2 = Date.now();
      await weft.cancel("q-1", "ops", "not needed");
      await fin1.until("q-1 gone after the cancel", (ids) => !ids.includes("q-1"), t2);
    } finally {
      await fin1.stop();
      await fin2.stop();
    }
  });

  it("fifty open inboxes share one read of the approvals per change", async () => {
    let reads = 0;
    const approvals = engine.approvals.bind(engine);
    engine.approvals = async (filter) => {
      reads++;
      return approvals(filter);
    };
    await weft.start(ONE.name, { workflowId: "m-1" }, "ops");
    await atReview("m-1");
    const followers = Array.from({ length: 50 }, (_, i) => follow(weft, `fin${i}`));
    try {
      await Promise.all(followers.map((f) => f.until("m-1 listed", (ids) => ids.includes("m-1"))));
      // Quiet: only the slow poll reads (about once a second), for all fifty.
      const quietFrom = reads;
      await new Promise((r) => setTimeout(r, 2000));
      const quiet = reads - quietFrom;
      expect(quiet).toBeLessThanOrEqual(4);
      await stopWorker();
      const before = reads;
      const t = Date.now();
      await weft.decide(person("someone", ["finance"]), "m-1", "review", "decline");
      await Promise.all(followers.map((f) => f.until("m-1 gone", (ids) => !ids.includes("m-1"), t)));
      const took = Date.now() - t;
      console.log(`${kind}: 50 inboxes: ${quiet} reads in 2 s quiet; a decision reached all 50 in ${took} ms with ${reads - before} read(s)`);
      expect(reads - before).toBeLessThanOrEqual(3);
    } finally {
      await Promise.all(followers.map((f) => f.stop()));
    }
    // Nobody follows: nothing is read any more.
    const after = reads;
    await new Promise((r) => setTimeout(r, 1500));
    expect(reads).toBe(after);
  });
});
