// Versions: a run stays on the version it started with. Deploying a new version of a workflow
// leaves running runs alone; new runs use the newest version. Real worker processes, on both
// databases.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonCodec } from "../../engine/codec.ts";
import { Engine } from "../../engine/engine.ts";
import { childEnv, createTestDatabase, waitForEnd, waitForPending, WorkerPool, type DbKind, type TestDatabase } from "./harness.ts";

/** A workflow that waits for a signal, then echoes through the activity `activity`. */
function version(activity: string, tag: string) {
  return {
    name: "versioned",
    title: `Versioned (${tag})`,
    nodes: [
      { id: "start", type: "start" },
      { id: "wait", type: "signal", signal: "go", output: "go" },
      { id: "work", type: "step", activity, input: { tag, go: "=go" }, output: "echo" },
      { id: "done", type: "end", result: "=echo" },
    ],
    edges: [
      { id: "e1", source: "start", target: "wait" },
      { id: "e2", source: "wait", target: "work" },
      { id: "e3", source: "work", target: "done" },
    ],
  };
}

for (const kind of ["sqlite", "postgresql"] as DbKind[]) {
  describe(`versions (${kind})`, () => {
    let db: TestDatabase;
    let engine: Engine;
    let pool: WorkerPool;

    beforeAll(async () => {
      db = createTestDatabase(kind);
      engine = await Engine.open({ url: db.url, codec: jsonCodec });
      pool = new WorkerPool(`versions-${kind}`, childEnv(db.url, { WEFT_LEASE_MS: "1500" }));
      await pool.start(1);
    });

    afterAll(async () => {
      await pool?.killAll();
      await engine?.close();
      await db?.cleanup();
    });

    it("a running run finishes on the version it started with; a new run takes the newest", async () => {
      const v1 = await engine.deploy(version("test.echo", "v1"));
      expect(v1).toMatchObject({ version: 1, created: true });
      await engine.start("versioned", { workflowId: "old" });
      await waitForPending(engine, "old", "signal", "wait");

      const v2 = await engine.deploy(version("test.echo", "v2"));
      expect(v2).toMatchObject({ version: 2, created: true });
      expect(v2.hash).not.toBe(v1.hash);
      await engine.start("versioned", { workflowId: "new" });
      await waitForPending(engine, "new", "signal", "wait");

      await engine.signal("old", "go", 1);
      await engine.signal("new", "go", 2);
      const old = await waitForEnd(engine, "old");
      const fresh = await waitForEnd(engine, "new");
      expect(old).toMatchObject({ status: "completed", version: 1, result: { tag: "v1", go: 1 } });
      expect(fresh).toMatchObject({ status: "completed", version: 2, result: { tag: "v2", go: 2 } });
    });
  });
}
