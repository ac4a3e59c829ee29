import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../engine/engine.ts";
import { Worker } from "../engine/worker/worker.ts";
import { benchActivities, DOCUMENTS, THREE_STEPS } from "./engine-shared.ts";
const url = process.argv[2] ?? `file:${join(mkdtempSync(join(tmpdir(), "wbp-")), "b.db")}`;
const engine = await Engine.open({ url });
for (const d of DOCUMENTS) await engine.deploy(d);
const worker = new Worker(engine, benchActivities(), {});
await worker.start();
for (let round = 0; round < 4; round++) {
  const before = worker.stats.runsCompleted;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 500 }, (_, i) => engine.start(THREE_STEPS.name, { workflowId: `r${round}-${i}` })));
  const t1 = performance.now();
  while (worker.stats.runsCompleted < before + 500) await new Promise((r) => setTimeout(r, 1));
  const t2 = performance.now();
  console.log(`round ${round}: starts ${(t1 - t0).toFixed(0)} ms, total ${(t2 - t0).toFixed(0)} ms, ${(500 / ((t2 - t0) / 1000)).toFixed(0)} runs/s`, worker.commitStats);
}
await worker.stop();
await engine.close();
