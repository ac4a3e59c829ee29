// WAL checkpoints off the event loop, for long-running processes on SQLite (the worker).
//
// By default SQLite checkpoints in whichever connection commits when the WAL passes 1,000
// pages: that COMMIT then copies the WAL into the database file and fsyncs it, tens to hundreds
// of milliseconds during which better-sqlite3 (synchronous) blocks the whole thread: timers fire
// late, every run waits. Here the process's connection stops checkpointing on commit
// (wal_autocheckpoint = 0) and a thread of its own, with its own connection, runs PASSIVE
// checkpoints (which never block readers or writers) whenever the WAL has grown, and a RESTART
// when the log has grown past 4,096 pages anyway (see the thread's comment). Other processes
// (the `weft` command) keep their default, so the WAL never grows without bound, and a stopped
// worker gives the default back.

import { createRequire } from "node:module";
import { Worker as Thread } from "node:worker_threads";
import type { Database } from "./types.ts";

const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.file, { timeout: 0 });
db.pragma("busy_timeout = 0");
let stopping = false;
parentPort.on("message", (m) => { if (m === "stop") { stopping = true; db.close(); parentPort.close(); } });
const tick = () => {
  if (stopping) return;
  try {
    // PASSIVE: copies what it can without waiting for any lock; busy (another checkpoint) is fine.
    const [state] = db.pragma("wal_checkpoint(PASSIVE)");
    // Under a steady stream of commits a passive checkpoint never catches up with the last one,
    // so the log never starts over and grows for as long as the load lasts (150 MB in the
    // benchmark), and every page read searches a longer index. Past a bound, RESTART: it waits
    // (here, off the event loop) for the writer of the moment, holds new writers back while it
    // copies the little that is left, and the next commit writes from the start of the file.
    if (state && state.log >= workerData.restartFrames) {
      db.pragma("busy_timeout = " + workerData.restartWaitMs);
      try {
        db.pragma("wal_checkpoint(RESTART)");
      } finally {
        db.pragma("busy_timeout = 0");
      }
    }
  } catch {}
  setTimeout(tick, workerData.intervalMs);
};
setTimeout(tick, workerData.intervalMs);
`;

/**
 * Starts checkpointing `db`'s WAL in a background thread; resolves to a function that stops
 * it and gives the connection its automatic checkpoints back. A no-op on PostgreSQL and for
 * in-memory databases.
 */
export function startBackgroundCheckpoints(
  db: Database,
  { intervalMs = 200, restartFrames = 4096 }: { intervalMs?: number; restartFrames?: number } = {},
): () => Promise<void> {
  const driver = db.driver;
  if (driver.kind !== "sqlite" || db.target.kind !== "sqlite" || db.target.file === ":memory:") return async () => {};
  const connection = driver.connection;
  const previous = Number(connection.pragma("wal_autocheckpoint", { simple: true }));
  let thread: Thread;
  try {
    const module = createRequire(import.meta.url).resolve("better-sqlite3");
    thread = new Thread(THREAD, { eval: true, workerData: { file: db.target.file, module, intervalMs, restartFrames, restartWaitMs: 100 } });
  } catch {
    return async () => {};
  }
  thread.unref();
  thread.on("error", () => {
    // Without the thread, commits checkpoint again as they did.
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${previous}`);
  });
  connection.pragma("wal_autocheckpoint = 0");
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${previous}`);
    thread.postMessage("stop");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void thread.terminate().then(() => resolve(), () => resolve()), 2000);
      thread.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  };
}
