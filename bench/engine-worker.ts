// One worker process of the engine benchmark (bench/engine.ts spawns several):
//   node --import tsx bench/engine-worker.ts DATABASE_URL
// Opens the database and prints {"ready":true}; then takes commands on stdin, one a line:
// "go" starts a worker, "pause" stops it and prints {"stats":…}, "stats" prints {"stats":…},
// "stop" stops the worker, prints {"stats":…, "final":true} and exits (counts are over every
// worker the process ran). While it runs it prints {"completed":N} as runs complete
// (at most once per turn of the event loop).

import { createInterface } from "node:readline";
import { Engine } from "../engine/engine.ts";
import { Worker } from "../engine/worker/worker.ts";
import { benchActivities, countCommits } from "./engine-shared.ts";

const url = process.argv[2];
if (!url) throw new Error("usage: engine-worker.ts DATABASE_URL");

const engine = await Engine.open({ url });
const counter = countCommits(engine.db);
// On SQLite, where the time goes in blocking statements (a statement waiting for another
// process's write lock sleeps in SQLite's busy handler, with the event loop blocked).
const blocked = new Map<string, { count: number; ms: number }>();
if (engine.db.driver.kind === "sqlite") {
  const connection = engine.db.driver.connection;
  const prepare = connection.prepare.bind(connection);
  (connection as { prepare: typeof connection.prepare }).prepare = ((sql: string) => {
    const statement = prepare(sql);
    const key = sql.replace(/\s+/g, " ").slice(0, 40);
    for (const method of ["run", "all", "get"] as const) {
      const original = (statement[method] as (...args: unknown[]) => unknown).bind(statement);
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return original(...args);
        } finally {
          const took = performance.now() - t0;
          if (took > 1) {
            const entry = blocked.get(key) ?? { count: 0, ms: 0 };
            entry.count++;
            entry.ms += took;
            blocked.set(key, entry);
          }
        }
      };
    }
    return statement;
  }) as typeof connection.prepare;
}

const send = (message: unknown, then?: () => void) => process.stdout.write(`${JSON.stringify(message)}\n`, then);

// Counts over every worker this process has run ("pause" stops one, "go" starts the next).
const totals = { steps: 0, claims: 0, loads: 0, groupCommits: 0, units: 0 };
let completed = 0;
let reported = 0;
let scheduled = false;

function newWorker(): Worker {
  const worker = new Worker(engine, benchActivities(), { log: (line) => process.stderr.write(`${line}\n`) });
  let own = 0;
  Object.defineProperty(worker.stats, "runsCompleted", {
    get: () => own,
    set: (value: number) => {
      completed += value - own;
      own = value;
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (completed !== reported) {
          reported = completed;
          send({ completed });
        }
      });
    },
  });
  return worker;
}

const counts = (w: Worker | undefined) => ({
  steps: totals.steps + (w?.stats.steps ?? 0),
  claims: totals.claims + (w?.stats.claims ?? 0),
  loads: totals.loads + (w?.stats.loads ?? 0),
  groupCommits: totals.groupCommits + (w?.commitStats.commits ?? 0),
  units: totals.units + (w?.commitStats.units ?? 0),
});

let worker: Worker | undefined;
const stats = () => ({
  ...counts(worker),
  runsCompleted: completed,
  ...counter,
  rss: process.memoryUsage().rss,
  cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  slowStatements: Object.fromEntries(blocked),
});

async function pause(): Promise<void> {
  if (!worker) return;
  const w = worker;
  worker = undefined;
  await w.stop();
  Object.assign(totals, counts(w));
}

let stopping = false;
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  const command = line.trim();
  // In order: a "go" after a "pause" waits for the pause to finish.
  queue = queue.then(async () => {
    if (stopping) return;
    if (command === "go" && !worker) {
      worker = newWorker();
      await worker.start();
    } else if (command === "pause") {
      await pause();
      send({ stats: stats() });
    } else if (command === "stats") {
      send({ stats: stats() });
    } else if (command === "stop") {
      stopping = true;
      await pause();
      const final = stats();
      await engine.close();
      send({ stats: final, final: true }, () => process.exit(0));
    }
  });
});
process.stdin.on("end", () => {
  if (!stopping) process.exit(1);
});
send({ ready: true });
