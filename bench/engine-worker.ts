// One worker process of the engine benchmark (bench/engine.ts spawns several):
//   node --import tsx bench/engine-worker.ts DATABASE_URL
// Opens the database and prints {"ready":true}; then takes commands on stdin, one a line:
// "go" starts the worker, "stats" prints {"stats":…}, "stop" stops the worker, prints
// {"stats":…, "final":true} and exits. While it runs it prints {"completed":N} as runs complete
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

const worker = new Worker(engine, benchActivities(), { log: (line) => process.stderr.write(`${line}\n`) });
const send = (message: unknown, then?: () => void) => process.stdout.write(`${JSON.stringify(message)}\n`, then);

let completed = worker.stats.runsCompleted;
let reported = completed;
let scheduled = false;
Object.defineProperty(worker.stats, "runsCompleted", {
  get: () => completed,
  set: (value: number) => {
    completed = value;
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

const stats = () => ({
  steps: worker.stats.steps,
  runsCompleted: completed,
  groupCommits: worker.commitStats.commits,
  units: worker.commitStats.units,
  ...counter,
  rss: process.memoryUsage().rss,
  cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  slowStatements: Object.fromEntries(blocked),
});

let started = false;
let stopping = false;
createInterface({ input: process.stdin }).on("line", (line) => {
  const command = line.trim();
  if (command === "go" && !started) {
    started = true;
    void worker.start();
  } else if (command === "stats") {
    send({ stats: stats() });
  } else if (command === "stop" && !stopping) {
    stopping = true;
    void (async () => {
      if (started) await worker.stop();
      const final = stats();
      await engine.close();
      send({ stats: final, final: true }, () => process.exit(0));
    })();
  }
});
process.stdin.on("end", () => {
  if (!stopping) process.exit(1);
});
send({ ready: true });
