// How much work a worker takes: only as many runs as it has free activity slots, so that runs
// stay where their activities run; a run nobody with room takes within a second is taken
// anyway (a busy worker must not leave a lone run waiting for ever).

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActivityDefinition } from "../../engine/activity.ts";
import { Engine } from "../../engine/engine.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { line } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("claims");
afterAll(() => databases.cleanup());

const HOLD = line("claims-hold", [
  { id: "hold", type: "step", activity: "test.hold", input: {} },
  { id: "end", type: "end" },
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(["sqlite", "postgresql"] as const)("a worker's share of the work on %s", (kind) => {
  let engine: Engine;
  let worker: Worker;
  let release: () => void;
  let started = 0;

  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    await engine.deploy(HOLD);
    const held = new Promise<void>((resolve) => (release = resolve));
    started = 0;
    const hold: ActivityDefinition = {
      name: "test.hold",
      run: async () => {
        started++;
        await held;
        return {};
      },
    };
    worker = new Worker(engine, new Map([[hold.name, hold]]), { concurrency: 2, pollMs: 100, log: () => {} });
  });

  afterEach(async () => {
    release();
    await worker.stop();
    await engine.close();
  });

  const workflowTasks = async (leased: boolean) =>
    Number(
      (await engine.db.query(`SELECT COUNT(*) AS n FROM task WHERE kind = 'workflow' AND lease_owner IS ${leased ? "NOT " : ""}NULL`))[0]!.n,
    );

  it("takes as many runs as it has slots, leaves the rest queued, and takes them once they have waited a second", async () => {
    for (let i = 0; i < 5; i++) await engine.start(HOLD.name, { workflowId: `hold-${i}` });
    await worker.start();
    const t0 = Date.now();
    while (started < 2) await sleep(10);
    // Both slots busy: the other three runs stay in the queue for a worker with room.
    await sleep(300);
    expect(started).toBe(2);
    expect(await workflowTasks(false)).toBe(3);
    // No worker with room came for them: after a second this one takes them (their
    // activities wait in the queue for a slot).
    while ((await workflowTasks(false)) > 0) await sleep(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    release();
    for (let i = 0; i < 5; i++) {
      while ((await engine.describe(`hold-${i}`)).status !== "completed") await sleep(20);
    }
    expect(started).toBe(5);
  }, 20_000);
});
