// The queue of due work: one claim takes, per kind, up to what the worker asks for (a worker
// takes only as many runs' workflow tasks as it has activity slots for, and timers up to a
// look-ahead early), oldest first, and never a task another worker holds.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { claimTasks, insertTasks, type NewTask } from "../../engine/task-store.ts";
import { line } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("tasks");
afterAll(() => databases.cleanup());

const DOC = line("tasks-doc", [{ id: "end", type: "end" }]);

describe.each(["sqlite", "postgresql"] as const)("claiming tasks on %s", (kind) => {
  let engine: Engine;
  let runId: string;
  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    await engine.deploy(DOC);
    runId = (await engine.start(DOC.name, { workflowId: "holder" })).runId;
    await engine.db.execute("DELETE FROM task");
  });
  afterEach(() => engine.close());

  const insert = (tasks: Omit<NewTask, "runId">[]) => engine.db.transaction((tx) => insertTasks(tx, tasks.map((t) => ({ runId, ...t }))));

  it("takes up to each kind's limit, oldest first, and timers up to the look-ahead", async () => {
    const now = Date.now();
    await insert([
      ...[5, 4, 3, 2, 1].map((ago) => ({ kind: "activity" as const, dueAt: now - ago, nodeId: `act-${ago}` })),
      { kind: "timer", dueAt: now + 500, nodeId: "soon" },
      { kind: "timer", dueAt: now + 60_000, nodeId: "later" },
    ]);
    const claimed = await claimTasks(engine.db, "w1", now, now + 10_000, [
      { kind: "workflow", dueBy: now, limit: 10 },
      { kind: "timer", dueBy: now + 1000, limit: 10 },
      { kind: "activity", dueBy: now, limit: 2 },
    ]);
    expect(claimed.map((t) => t.nodeId)).toEqual(["act-5", "act-4", "soon"]);
  });

  it("never takes a task another worker holds, until its lease runs out; a zero limit takes nothing", async () => {
    const now = Date.now();
    await insert([{ kind: "activity", dueAt: now - 10, nodeId: "held" }]);
    const want = [{ kind: "activity" as const, dueBy: now, limit: 5 }];
    expect(await claimTasks(engine.db, "w1", now, now + 10_000, want)).toHaveLength(1);
    expect(await claimTasks(engine.db, "w2", now, now + 10_000, want)).toHaveLength(0);
    expect(await claimTasks(engine.db, "w2", now + 10_001, now + 20_000, [{ ...want[0]!, limit: 0 }])).toHaveLength(0);
    // w1 stopped renewing: once the lease has run out, w2 takes it.
    expect((await claimTasks(engine.db, "w2", now + 10_001, now + 20_000, want)).map((t) => t.nodeId)).toEqual(["held"]);
  });
});
