// The engine as the app sees it (engine/facade.ts), on both databases: the workflows list with
// drafts never deployed, drafts saved with optimistic concurrency, deploying a draft, versions
// with who deployed them, what a version waits for (from the compiler, stored at deploy), and
// the activities live workers registered.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { Weft } from "../../engine/facade.ts";
import { getDraft, putDraft, replaceDraft } from "../../engine/draft-store.ts";
import { workflowWaits } from "../../engine/version-store.ts";
import { liveActivities, liveWorkers, registerWorker } from "../../engine/worker-store.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { line, type Doc } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("facade");
afterAll(() => databases.cleanup());

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function doc(name: string, title?: string, nodes: Doc[] = [{ id: "end", type: "end" }]): Doc {
  return { ...line(name, nodes), ...(title === undefined ? {} : { title }) };
}

/** A document with a problem the compiler names: an edge to nowhere. */
function broken(name: string): Doc {
  const d = doc(name, "Broken");
  d.edges.push({ id: "e-bad", source: "end", target: "nowhere" });
  return d;
}

describe.each(["sqlite", "postgresql"] as const)("the Weft facade on %s", (kind) => {
  let engine: Engine;
  let weft: Weft;
  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    weft = Weft.over(engine);
  });
  afterEach(async () => {
    await weft.close(); // leaves an engine it did not open alone
    await engine.close();
  });

  it("lists deployed workflows and drafts never deployed, by title, with open runs and who changed them last", async () => {
    expect(await weft.workflows()).toEqual([]);
    await engine.deploy(doc("zeta", "Approve invoice", [{ id: "wait", type: "signal", signal: "go" }, { id: "end", type: "end" }]), { by: "ada" });
    await engine.start("zeta", { workflowId: "z-1" });
    await engine.start("zeta", { workflowId: "z-2" });
    await engine.deploy(doc("alpha"));
    await weft.saveDraft("beta", doc("beta", "Onboard customer"), { by: "bob" });

    const list = await weft.workflows();
    expect(list).toEqual([
      { name: "alpha", title: "alpha", latestVersion: 1, openRuns: 0, updatedAt: expect.stringMatching(ISO) },
      { name: "zeta", title: "Approve invoice", latestVersion: 1, openRuns: 2, updatedAt: expect.stringMatching(ISO), updatedBy: "ada" },
      { name: "beta", title: "Onboard customer", latestVersion: null, openRuns: 0, updatedAt: expect.stringMatching(ISO), updatedBy: "bob" },
    ]);

    // A draft saved after the deploy: its title and its author are the workflow's now.
    await weft.saveDraft("zeta", doc("zeta", "Approve invoices", [{ id: "wait", type: "signal", signal: "go" }, { id: "end", type: "end" }]), { by: "cy" });
    const zeta = (await weft.workflows()).find((w) => w.name === "zeta");
    expect(zeta).toMatchObject({ title: "Approve invoices", latestVersion: 1, openRuns: 2, updatedBy: "cy" });
    expect(Date.parse(zeta!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(list[1].updatedAt));
  });

  it("gives the draft, else the newest version's document, with an etag and the compiler's diagnostics", async () => {
    await expect(weft.draft("nothing")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await engine.deploy(doc("flow", "Flow"));
    const fromVersion = await weft.draft("flow");
    expect(fromVersion).toEqual({ document: doc("flow", "Flow"), etag: '"v1"', errors: [] });

    const saved = await weft.saveDraft("flow", broken("flow"), { by: "ada", ifMatch: fromVersion.etag });
    expect(saved).toEqual({ document: broken("flow"), errors: expect.arrayContaining([{ id: "e-bad", message: expect.stringContaining("nowhere") }]), created: false, etag: '"r1"' });
    const draft = await weft.draft("flow");
    expect(draft).toEqual({ document: broken("flow"), etag: '"r1"', errors: saved.errors });
    // The designer's page asks without the diagnostics (its own worker compiles).
    expect(await weft.draftDocument("flow")).toEqual({ document: broken("flow"), etag: '"r1"' });
    await expect(weft.draftDocument("nothing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("saves any well-formed draft, refuses one whose name differs, and refuses a save over a newer one given If-Match", async () => {
    const first = await weft.saveDraft("draft-me", broken("draft-me"), { by: "ada" });
    expect(first).toMatchObject({ created: true, etag: '"r1"' });
    expect(first.errors.length).toBeGreaterThan(0);

    await expect(weft.saveDraft("draft-me", doc("other"), { by: "ada" })).rejects.toMatchObject({ code: "INVALID", errors: [{ id: "name", message: expect.stringContaining('"other"') }] });
    await expect(weft.saveDraft("draft-me", [1, 2], { by: "ada" })).rejects.toMatchObject({ code: "INVALID", errors: [{ id: "name" }] });
    await expect(weft.saveDraft("../etc", { name: "../etc" }, { by: "ada" })).rejects.toMatchObject({ code: "INVALID", errors: [{ id: "name" }] });

    // Two designers loaded r1; the first to save wins, the second is told to reload.
    const ada = await weft.saveDraft("draft-me", doc("draft-me", "Ada's"), { by: "ada", ifMatch: '"r1"' });
    expect(ada).toMatchObject({ created: false, etag: '"r2"', errors: [] });
    await expect(weft.saveDraft("draft-me", doc("draft-me", "Bob's"), { by: "bob", ifMatch: '"r1"' })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("changed since you loaded it: reload or overwrite"),
    });
    await expect(weft.saveDraft("draft-me", doc("draft-me", "Bob's"), { by: "bob", ifMatch: '"v1"' })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(weft.saveDraft("draft-me", doc("draft-me", "Bob's"), { by: "bob", ifMatch: "garbage" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await weft.draft("draft-me")).document).toMatchObject({ title: "Ada's" });
    // Without If-Match, a save overwrites.
    expect(await weft.saveDraft("draft-me", doc("draft-me", "Bob's"), { by: "bob" })).toMatchObject({ created: false, etag: '"r3"' });
    expect(await getDraft(engine.db, "draft-me")).toMatchObject({ updatedBy: "bob", revision: 3 });
    // If-Match as HTTP may send it back: bare, weak, or `*` (whatever is there).
    expect(await weft.saveDraft("draft-me", doc("draft-me", "Cy's"), { by: "cy", ifMatch: "r3" })).toMatchObject({ etag: '"r4"' });
    expect(await weft.saveDraft("draft-me", doc("draft-me", "Cy's"), { by: "cy", ifMatch: 'W/"r4"' })).toMatchObject({ etag: '"r5"' });
    expect(await weft.saveDraft("draft-me", doc("draft-me", "Cy's"), { by: "cy", ifMatch: "*" })).toMatchObject({ etag: '"r6"' });
    await expect(weft.saveDraft("new-one", doc("new-one"), { by: "cy", ifMatch: "*" })).rejects.toMatchObject({ code: "CONFLICT" });

    // A first draft over a deployed version: If-Match names the version it was loaded from.
    await engine.deploy(doc("deployed"));
    await engine.deploy(doc("deployed", undefined, [{ id: "t", type: "timer", duration: "1s" }, { id: "end", type: "end" }]));
    await expect(weft.saveDraft("deployed", doc("deployed", "x"), { by: "ada", ifMatch: '"v1"' })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await weft.saveDraft("deployed", doc("deployed", "x"), { by: "ada", ifMatch: '"v2"' })).toMatchObject({ created: false, etag: '"r1"' });
  });

  it("deploys the draft, records who deployed it, and adds no version for an unchanged document", async () => {
    await weft.saveDraft("ship", broken("ship"), { by: "ada" });
    await expect(weft.deployDraft("ship", "ada")).rejects.toMatchObject({ code: "INVALID", errors: expect.arrayContaining([{ id: "e-bad", message: expect.stringContaining("nowhere") }]) });
    expect(await weft.versions("ship")).toEqual([]);

    await weft.saveDraft("ship", doc("ship", "Ship"), { by: "ada" });
    expect(await weft.deployDraft("ship", "ada")).toEqual({ name: "ship", version: 1, hash: expect.any(String), created: true });
    expect(await weft.deployDraft("ship", "bob")).toEqual({ name: "ship", version: 1, hash: expect.any(String), created: false });

    await weft.saveDraft("ship", doc("ship", "Ship", [{ id: "t", type: "timer", duration: "1s" }, { id: "end", type: "end" }]), { by: "bob" });
    const second = await weft.deployDraft("ship", "bob");
    expect(second).toMatchObject({ version: 2, created: true });
    await engine.deploy(doc("ship", "Ship", [{ id: "t", type: "timer", duration: "2s" }, { id: "end", type: "end" }])); // from the command line: nobody named

    const versions = await weft.versions("ship");
    expect(versions).toEqual([
      { version: 3, hash: expect.any(String), deployedAt: expect.stringMatching(ISO) },
      { version: 2, hash: second.hash, deployedAt: expect.stringMatching(ISO), deployedBy: "bob" },
      { version: 1, hash: expect.any(String), deployedAt: expect.stringMatching(ISO), deployedBy: "ada" },
    ]);
    const v2 = await weft.version("ship", 2);
    expect(v2).toMatchObject({ version: 2, hash: second.hash, document: { name: "ship", title: "Ship" } });
    expect(v2.code).toContain(`export const hash = "${second.hash}"`);
    expect(v2.code).toContain('"t"');

    await expect(weft.version("ship", 9)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(weft.version("ship", Number.NaN)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(weft.versions("nothing")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(weft.deployDraft("nothing", "ada")).rejects.toMatchObject({ code: "NOT_FOUND" });
    // With no draft, deploying redeploys the newest version's document: nothing new.
    await engine.deploy(doc("plain"));
    expect(await weft.deployDraft("plain", "ada")).toMatchObject({ version: 1, created: false });
  });

  it("stores what each version waits for at deploy, and checks signals against it", async () => {
    const waits = (nodes: Doc[]) => doc("waiter", undefined, [...nodes, { id: "end", type: "end" }]);
    await engine.deploy(waits([{ id: "s", type: "signal", signal: "go" }]));
    const stored = async () =>
      (await engine.db.query<{ version: number; waits: string | null }>("SELECT version, waits FROM workflow_version WHERE name = ? ORDER BY version", ["waiter"])).map((r) => [Number(r.version), r.waits === null ? null : JSON.parse(r.waits)]);
    expect(await stored()).toEqual([[1, { signals: ["go"], approvals: [] }]]);

    await engine.start("waiter", { workflowId: "w-1" });
    await expect(engine.signal("w-1", "stop")).rejects.toMatchObject({ code: "NOT_FOUND", message: 'waiter has no signal node waiting for "stop": it waits for "go"' });
    await expect(engine.signal("w-1", "go")).resolves.toMatchObject({ workflowId: "w-1" });

    // A version deployed before waits were kept has none stored: computed from its document
    // once, on first use, and stored.
    const approval = { id: "ok", type: "approval", title: "OK?" };
    await engine.deploy({
      ...waits([]),
      nodes: [{ id: "start", type: "start" }, approval, { id: "end", type: "end" }],
      edges: [
        { id: "e1", source: "start", target: "ok" },
        { id: "e2", source: "ok", target: "end", sourceHandle: "approved" },
        { id: "e3", source: "ok", target: "end", sourceHandle: "declined" },
      ],
    });
    await engine.db.execute("UPDATE workflow_version SET waits = NULL WHERE name = ? AND version = 2", ["waiter"]);
    expect(await workflowWaits(engine.db, "waiter")).toEqual({ signals: ["go"], approvals: ["ok"] });
    expect(await stored()).toEqual([
      [1, { signals: ["go"], approvals: [] }],
      [2, { signals: [], approvals: ["ok"] }],
    ]);
    await expect(engine.decide("w-1", "approve", { nodeId: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND", message: 'waiter has no approval node "nope": its approval nodes are "ok"' });
  });

  it("lists the activities live workers registered, once each, by title", async () => {
    expect(await weft.activities()).toEqual([]);
    const now = Date.now();
    const base = { host: "h", pid: 1, concurrency: 1, startedAt: now, heartbeatAt: now };
    const schema = { type: "object", properties: { to: { type: "string" } }, required: ["to"] };
    await registerWorker(engine.db, {
      ...base,
      id: "w-old",
      activities: [{ name: "mail.send", title: "Send mail (old)" }, { name: "pay.charge", title: "Charge card" }, "legacy.bare"],
    });
    await registerWorker(engine.db, { ...base, id: "w-new", startedAt: now + 1, activities: [{ name: "mail.send", title: "Send mail", inputSchema: schema }] });
    // Silent for long: not live, so not offered.
    await registerWorker(engine.db, { ...base, id: "w-gone", startedAt: now - 3_600_000, heartbeatAt: now - 3_600_000, activities: [{ name: "gone.away", title: "Gone" }] });

    expect(await weft.activities()).toEqual([
      { name: "pay.charge", title: "Charge card" },
      { name: "legacy.bare", title: "legacy.bare" },
      { name: "mail.send", title: "Send mail", inputSchema: schema },
    ]);
    expect(await liveActivities(engine.db, now)).toEqual(await weft.activities());
    // `weft workers` still shows names.
    expect((await liveWorkers(engine.db, now)).map((w) => [w.id, w.activities])).toEqual([
      ["w-old", ["mail.send", "pay.charge", "legacy.bare"]],
      ["w-new", ["mail.send"]],
    ]);
  });
});

describe.each(["sqlite", "postgresql"] as const)("runs through the Weft facade on %s", (kind) => {
  let engine: Engine;
  let weft: Weft;
  let worker: Worker;
  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    weft = Weft.over(engine);
    worker = new Worker(engine, new Map(), { log: () => {} });
    await worker.start();
  });
  afterEach(async () => {
    await worker.stop();
    await engine.close();
  });

  const fin = { name: "fin1", displayName: "Fin One", roles: ["finance"] };
  const ops = { name: "ops", displayName: "Ops", roles: ["operator"] };
  const approvalDoc = {
    name: "pay",
    title: "Pay",
    nodes: [{ id: "start", type: "start" }, { id: "review", type: "approval", title: "Review", assignees: ["finance"] }, { id: "done", type: "end" }, { id: "no", type: "end" }],
    edges: [
      { id: "e1", source: "start", target: "review" },
      { id: "e2", source: "review", target: "done", sourceHandle: "approved" },
      { id: "e3", source: "review", target: "no", sourceHandle: "declined" },
    ],
  };

  async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    for (let i = 0; ; i++) {
      const value = await read();
      if (ok(value) || i > 200) return value;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it("starts, lists, decides, watches and cancels with who did it, in views", async () => {
    await weft.saveDraft("pay", approvalDoc, { by: "ada" });
    await weft.deployDraft("pay", "ada");
    const { workflowId } = await weft.start("pay", { workflowId: "pay-1" }, "ops");
    await weft.start("pay", { workflowId: "pay-2" }, "ops");
    expect((await weft.runs({ name: "pay" })).runs.map((r) => r.workflowId).sort()).toEqual(["pay-1", "pay-2"]);

    // Only those the approval names see it, and only they may decide it.
    const pending = await until(() => weft.approvals(fin), (list) => list.length === 2);
    expect(pending.map((p) => [p.workflowId, p.nodeId, p.assignees])).toEqual(expect.arrayContaining([["pay-1", "review", ["finance"]]]));
    expect(await weft.approvals(ops)).toEqual([]);
    await expect(weft.decide(ops, workflowId, "review", "approve")).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await weft.decide(fin, workflowId, "review", "approve", "fine")).toEqual({ workflowId, nodeId: "review", approved: true, by: "fin1", comment: "fine", at: expect.stringMatching(ISO) });
    await expect(weft.decide(fin, workflowId, "review", "decline")).rejects.toMatchObject({ code: "CONFLICT" });

    // The stream: ids from 1, ending with the run's closing event.
    const seen: { id: number; type: string }[] = [];
    for await (const { id, event } of weft.watch(workflowId)) seen.push({ id, type: event.type });
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.at(-1)?.type).toBe("WorkflowCompleted");
    const history = await weft.history(workflowId);
    // A run's page reads both at once, the history once.
    expect(await weft.runWithHistory(workflowId)).toEqual({ description: await weft.describe(workflowId), history });
    expect(history[0]).toMatchObject({ seq: 1, type: "WorkflowStarted", startedBy: "ops", at: expect.stringMatching(ISO) });
    expect(history.find((e) => e.type === "SignalReceived")).toMatchObject({ by: "fin1" });
    const after = [];
    for await (const { id } of weft.watch(workflowId, { lastEventId: seen.length - 1 })) after.push(id);
    expect(after).toEqual([seen.length]);

    await weft.cancel("pay-2", "ops", "not needed");
    expect((await weft.history("pay-2")).at(-1)).toMatchObject({ type: "WorkflowCancelled", by: "ops", reason: "not needed" });
    expect(await weft.describe("pay-2")).toMatchObject({ status: "cancelled" });
    expect(await weft.waiting("pay")).toEqual([]);
  });

  it("checks a draft against the open runs of every version, each on its own", async () => {
    const waitAt = (id: string, label: string) => ({ id, type: "signal", signal: "go", label });
    // Version 1 waits at review (two runs), version 2 waits a day first (one run).
    await weft.saveDraft("two", doc("two", "Two", [waitAt("review", "Review"), { id: "end", type: "end" }]), { by: "ada" });
    await weft.deployDraft("two", "ada");
    await weft.start("two", { workflowId: "two-1" }, "ops");
    await weft.start("two", { workflowId: "two-2" }, "ops");
    await weft.saveDraft("two", doc("two", "Two", [{ id: "wait", type: "timer", duration: "1d" }, waitAt("review", "Review"), { id: "end", type: "end" }]), { by: "ada" });
    await weft.deployDraft("two", "ada");
    await weft.start("two", { workflowId: "two-3" }, "ops");
    await until(() => weft.waiting("two"), (w) => w.reduce((n, x) => n + x.runs, 0) === 3);

    // A draft without review: version 1's runs break (their history waits at review first) and
    // wait at a node it deletes; version 2's run replays on it.
    await weft.saveDraft("two", doc("two", "Two", [{ id: "wait", type: "timer", duration: "1d" }, { id: "end", type: "end" }]), { by: "ada" });
    const check = await weft.checkDraft("two");
    const breaks = (workflowId: string) => ({ workflowId, runId: expect.any(String), nodeId: "review", message: expect.any(String), version: 1 });
    expect(check).toEqual({
      version: 2,
      runs: 3,
      breaking: [breaks("two-1"), breaks("two-2")],
      removed: [{ nodeId: "review", name: "Review", runs: 2, versions: [{ version: 1, runs: 2 }] }],
      versions: [
        { version: 2, runs: 1, breaking: [], removed: [] },
        { version: 1, runs: 2, breaking: [breaks("two-1"), breaks("two-2")], removed: [{ nodeId: "review", name: "Review", runs: 2 }] },
      ],
    });

    // Version 1's runs moved onto a version 3 that replays them: they are checked as version 3's.
    await weft.saveDraft("two", doc("two", "Two", [waitAt("review", "Review"), { id: "end", type: "end", result: "v3" }]), { by: "ada" });
    expect(await weft.deployDraft("two", "ada", { compatibleWith: 1 })).toMatchObject({ version: 3, created: true });
    const after = await weft.checkDraft("two");
    expect(after.versions.map((v) => [v.version, v.runs, v.breaking.length, v.removed.length])).toEqual([
      [3, 2, 0, 0],
      [2, 1, 1, 1],
    ]);
    expect(after.breaking).toEqual([{ workflowId: "two-3", runId: expect.any(String), nodeId: expect.any(String), message: expect.any(String), version: 2 }]);
    await expect(weft.checkDraft("never")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await weft.saveDraft("fresh", doc("fresh"), { by: "ada" });
    expect(await weft.checkDraft("fresh")).toEqual({ version: null, runs: 0, breaking: [], removed: [], versions: [] });
  });
});

describe.each(["sqlite", "postgresql"] as const)("where runs wait, through the facade, on %s", (kind) => {
  let engine: Engine;
  let weft: Weft;
  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    weft = Weft.over(engine);
  });
  afterEach(() => engine.close());

  it("names the activity runs wait for at a step, and says when no live worker has loaded it", async () => {
    await engine.deploy(doc("payout", "Payout", [{ id: "pay", type: "step", activity: "bank.payout" }, { id: "end", type: "end" }]));
    // A worker that runs workflows but has no activity loaded: the runs reach the step and wait there.
    const worker = new Worker(engine, new Map(), { pollMs: 50, log: () => {} });
    await worker.start();
    for (const id of ["p-1", "p-2"]) await engine.start("payout", { workflowId: id });
    let stuck = await weft.waiting("payout");
    for (let i = 0; i < 200 && stuck[0]?.runs !== 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stuck = await weft.waiting("payout");
    }
    await worker.stop();
    expect(stuck).toEqual([{ nodeId: "pay", runs: 2, oldestSince: expect.stringMatching(ISO), retrying: expect.any(Number), kind: "activity", activities: ["bank.payout"], noWorker: ["bank.payout"] }]);

    const now = Date.now();
    await registerWorker(engine.db, { id: "w-pay", host: "h", pid: 1, activities: ["bank.payout"], concurrency: 1, startedAt: now, heartbeatAt: now });
    const { noWorker: _, ...served } = stuck[0]!;
    expect(await weft.waiting("payout")).toEqual([{ ...served, retrying: expect.any(Number) }]);
  });
});

describe.each(["sqlite", "postgresql"] as const)("the draft store on %s", (kind) => {
  let engine: Engine;
  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
  });
  afterEach(() => engine.close());

  it("counts revisions, replaces only the revision named, and takes concurrent first saves as one insert and updates", async () => {
    const w = (by: string) => ({ name: "d", documentText: JSON.stringify({ name: "d", by }), updatedBy: by, at: Date.now() });
    const saves = await Promise.all(["a", "b", "c", "d"].map((by) => putDraft(engine.db, w(by))));
    expect(saves.filter((s) => s.inserted)).toHaveLength(1);
    expect(saves.map((s) => s.revision).sort()).toEqual([1, 2, 3, 4]);
    expect(await replaceDraft(engine.db, w("e"), 3)).toBeUndefined();
    expect(await replaceDraft(engine.db, w("e"), 4)).toBe(5);
    expect(await getDraft(engine.db, "d")).toMatchObject({ revision: 5, updatedBy: "e", documentText: JSON.stringify({ name: "d", by: "e" }) });
  });
});

describe("Weft.open", () => {
  it("opens its own engine and closes it", async () => {
    const weft = await Weft.open({ url: databases.freshUrl("sqlite") });
    expect(await weft.workflows()).toEqual([]);
    expect(Object.keys(weft)).toEqual(["people"]); // nothing of the engine shows
    await weft.close();
  });
});
