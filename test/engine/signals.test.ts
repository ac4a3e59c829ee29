// Signals and approvers' decisions: one is acknowledged only if it will be delivered. It names a
// signal the workflow waits for (or an approval node it has), and it is stored only for a run
// that is still running when the write happens, even when the run continues as new (moving its
// unconsumed signals to the new run) at the same moment.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { insertSignalIfRunning, moveSignals } from "../../engine/signal-store.ts";
import { line } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("signals");
afterAll(() => databases.cleanup());

const DOC = line("signals-doc", [
  { id: "wait", type: "signal", signal: "go" },
  { id: "end", type: "end" },
]);

/** A controllable moment inside a transaction. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh database with one running run of DOC. */
function withRun(kind: "sqlite" | "postgresql") {
  const t = {
    url: "",
    engine: undefined as unknown as Engine,
    runId: "",
    signal: (name = "go") => ({ runId: t.runId, name, payload: { n: 1 }, at: Date.now() }),
    signalsOf: async (runId: string) => (await t.engine.db.query("SELECT id FROM signal WHERE run_id = ?", [runId])).length,
  };
  beforeEach(async () => {
    t.url = databases.freshUrl(kind);
    t.engine = await Engine.open({ url: t.url });
    await t.engine.deploy(DOC);
    t.runId = (await t.engine.start(DOC.name, { workflowId: "inbox" })).runId;
  });
  afterEach(() => t.engine.close());
  return t;
}

describe.each(["sqlite", "postgresql"] as const)("the signal inbox on %s", (kind) => {
  const t = withRun(kind);

  it("stores a signal for a running run, and nothing for one that has ended or continued as new", async () => {
    const { engine } = t;
    const id = await engine.db.transaction((tx) => insertSignalIfRunning(tx, kind, engine.codec, t.signal()));
    expect(id).toEqual(expect.any(Number));
    expect(await t.signalsOf(t.runId)).toBe(1);

    for (const status of ["continued", "completed"]) {
      await engine.db.execute("UPDATE run SET status = ? WHERE run_id = ?", [status, t.runId]);
      expect(await engine.db.transaction((tx) => insertSignalIfRunning(tx, kind, engine.codec, t.signal("late")))).toBeUndefined();
    }
    expect(await t.signalsOf(t.runId)).toBe(1);
  });

  it("refuses a signal the workflow never waits for, and a decision for a node that is no approval", async () => {
    const { engine } = t;
    await expect(engine.signal("inbox", "og")).rejects.toMatchObject({ code: "NOT_FOUND", message: 'signals-doc has no signal node waiting for "og": it waits for "go"' });
    // approve/decline are the approvals' signals: for a run waiting at no approval, refused.
    await expect(engine.signal("inbox", "approve")).rejects.toMatchObject({ code: "NOT_FOUND", message: 'workflow "inbox" is not waiting for an approval' });
    await expect(engine.signal("inbox", "decline", { nodeId: 7 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(engine.decide("inbox", "approve", { nodeId: "wait" })).rejects.toMatchObject({ code: "NOT_FOUND", message: 'signals-doc has no approval node "wait": it has no approval node' });
    expect(await t.signalsOf(t.runId)).toBe(0);

    // A later version that waits for more: its signals count too (a run may resume on it).
    await engine.deploy({ ...DOC, nodes: [...DOC.nodes, { id: "more", type: "signal", signal: "more" }], edges: [DOC.edges[0], { id: "e2", source: "wait", target: "more" }, { id: "e3", source: "more", target: "end" }] });
    await expect(engine.signal("inbox", "more")).resolves.toMatchObject({ runId: t.runId });
    await expect(engine.signal("inbox", "go", { n: 2 })).resolves.toMatchObject({ runId: t.runId });
    expect(await t.signalsOf(t.runId)).toBe(2);
  });
});

// Two connections at once: on PostgreSQL the signal's write and the worker's continue-as-new
// can interleave (on SQLite, write transactions are serial).
describe("the signal inbox on postgresql, with a run continuing as new at the same moment", () => {
  const t = withRun("postgresql");

  it("a signal is either moved to the new run or refused (and sent again by the caller), never stranded", async () => {
    const { engine } = t;
    const other = await Engine.open({ url: t.url });
    try {
      // 1. The worker's continue-as-new holds the run's row first: the signal waits for it,
      //    then finds the run no longer running and stores nothing.
      const moved = gate();
      const continuing = engine.db.transaction(async (tx) => {
        await tx.execute("UPDATE run SET status = 'continued' WHERE run_id = ?", [t.runId]);
        await moved.wait;
        await moveSignals(tx, t.runId, "next-run");
      });
      await pause(50);
      const sending = other.db.transaction((tx) => insertSignalIfRunning(tx, "postgresql", other.codec, t.signal()));
      await pause(100);
      moved.open();
      await continuing;
      expect(await sending).toBeUndefined();
      expect(await t.signalsOf(t.runId)).toBe(0);
      expect(await t.signalsOf("next-run")).toBe(0);

      // 2. The signal's write holds the row first: the continue-as-new waits for it, and its
      //    move then sees the signal and takes it along.
      await engine.db.execute("UPDATE run SET status = 'running' WHERE run_id = ?", [t.runId]);
      const stored = gate();
      const sent = other.db.transaction(async (tx) => {
        const id = await insertSignalIfRunning(tx, "postgresql", other.codec, t.signal());
        await stored.wait;
        return id;
      });
      await pause(50);
      const continued = engine.db.transaction(async (tx) => {
        await tx.execute("UPDATE run SET status = 'continued' WHERE run_id = ?", [t.runId]);
        await moveSignals(tx, t.runId, "next-run");
      });
      await pause(100);
      stored.open();
      expect(await sent).toEqual(expect.any(Number));
      await continued;
      expect(await t.signalsOf(t.runId)).toBe(0);
      expect(await t.signalsOf("next-run")).toBe(1);
    } finally {
      await other.close();
    }
  });
});
