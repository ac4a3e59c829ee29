// The runs list as operators use it (issue 12), through the facade, on SQLite and PostgreSQL:
// filtered by version and by when runs started, with live counts per status for the same
// filters, and a selection cancelled or terminated in bulk, each recorded with who did it and
// a run that ended meanwhile reported, not thrown.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { Weft } from "../../engine/facade.ts";
import { line } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("runs-operate");
afterAll(() => databases.cleanup());

const WAIT = line("op-wait", [
  { id: "hold", type: "signal", signal: "go" },
  { id: "end", type: "end" },
]);
const WAIT_V2 = line("op-wait", [
  { id: "hold2", type: "signal", signal: "go" },
  { id: "end", type: "end" },
]);

describe.each(["sqlite", "postgresql"] as const)("operating runs on %s", (kind) => {
  let engine: Engine;
  let weft: Weft;

  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    weft = Weft.over(engine);
  });
  afterEach(async () => {
    await engine.close();
  });

  it("filters by version and start time, counts per status, and closes a selection with who did it", async () => {
    await engine.deploy(WAIT);
    for (let i = 0; i < 3; i++) await weft.start("op-wait", { workflowId: `v1-${i}` }, "ops");
    // Start times are to the millisecond: "between" must not share one with a start.
    await new Promise((r) => setTimeout(r, 5));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await engine.deploy(WAIT_V2);
    for (let i = 0; i < 2; i++) await weft.start("op-wait", { workflowId: `v2-${i}` }, "ops");

    const ids = async (q: Parameters<Weft["runs"]>[0]) => (await weft.runs(q)).runs.map((r) => r.workflowId).sort();
    expect(await ids({ name: "op-wait", version: 1 })).toEqual(["v1-0", "v1-1", "v1-2"]);
    expect(await ids({ name: "op-wait", version: 2 })).toEqual(["v2-0", "v2-1"]);
    expect(await ids({ from: between })).toEqual(["v2-0", "v2-1"]);
    expect(await ids({ to: between })).toEqual(["v1-0", "v1-1", "v1-2"]);
    await expect(weft.runs({ from: "yesterday" })).rejects.toMatchObject({ code: "BAD_REQUEST", errors: [{ id: "from" }] });
    await expect(weft.runs({ version: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await weft.runCounts({ name: "op-wait" })).toEqual({ running: 5, completed: 0, failed: 0, cancelled: 0, terminated: 0 });

    await weft.terminate("v1-2", "ada");
    const outcome = await weft.closeMany(["v1-0", "v1-1", "v1-2", "nope"], "cancel", "ops", "clean-up");
    expect(outcome.done).toEqual(["v1-0", "v1-1"]);
    expect(outcome.failed.map((f) => [f.workflowId, f.code])).toEqual([
      ["v1-2", "NOT_RUNNING"],
      ["nope", "NOT_FOUND"],
    ]);
    const last = (await weft.history("v1-0")).at(-1);
    expect(last).toMatchObject({ type: "WorkflowCancelled", by: "ops", reason: "clean-up" });
    expect(await weft.runCounts({ name: "op-wait" })).toEqual({ running: 2, completed: 0, failed: 0, cancelled: 2, terminated: 1 });
    expect(await weft.runCounts({ name: "op-wait", version: 2 })).toEqual({ running: 2, completed: 0, failed: 0, cancelled: 0, terminated: 0 });
    expect((await weft.closeMany(["v2-0", "v2-1"], "terminate", "ops")).done).toEqual(["v2-0", "v2-1"]);
    expect((await weft.runCounts({})).terminated).toBe(3);
  });
});
