// The registry of workers: a worker is listed while it beats, with what it can run, and not once
// it has stopped or gone silent.

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { beatWorker, liveWorkers, registerWorker, unregisterWorker, WORKER_SILENCE_MS } from "../../engine/worker-store.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("workers");
afterAll(() => databases.cleanup());

describe.each(["sqlite", "postgresql"] as const)("the worker registry on %s", (kind) => {
  let engine: Engine;
  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
  });
  afterEach(() => engine.close());

  it("lists a worker while it beats, and forgets it once it is silent or unregistered", async () => {
    const t0 = 1_800_000_000_000;
    const base = { host: "h", pid: 1, activities: ["a.one", "a.two"], concurrency: 5, startedAt: t0, heartbeatAt: t0 };
    await registerWorker(engine.db, { ...base, id: "w-1" });
    await registerWorker(engine.db, { ...base, id: "w-2", startedAt: t0 + 1, heartbeatAt: t0 + 1 });
    expect((await liveWorkers(engine.db, t0 + 10)).map((w) => w.id)).toEqual(["w-1", "w-2"]);
    expect((await liveWorkers(engine.db, t0 + 10))[0]).toEqual({ ...base, id: "w-1" });

    // w-1 goes silent; w-2 beats on.
    await beatWorker(engine.db, "w-2", t0 + WORKER_SILENCE_MS);
    expect((await liveWorkers(engine.db, t0 + WORKER_SILENCE_MS + 100)).map((w) => w.id)).toEqual(["w-2"]);
    await unregisterWorker(engine.db, "w-2");
    expect(await liveWorkers(engine.db, t0 + WORKER_SILENCE_MS + 100)).toEqual([]);
  });

  it("a worker registers with its activities and concurrency when it starts, and leaves when it stops", async () => {
    const worker = new Worker(engine, new Map([["x.run", { name: "x.run", run: async () => null }]]), { concurrency: 7, log: () => {} });
    await worker.start();
    try {
      expect(await engine.workers()).toEqual([
        { id: worker.id, host: expect.any(String), pid: process.pid, activities: ["x.run"], concurrency: 7, startedAt: expect.stringMatching(/Z$/), heartbeatAt: expect.stringMatching(/Z$/) },
      ]);
    } finally {
      await worker.stop();
    }
    expect(await engine.workers()).toEqual([]);
  });
});
