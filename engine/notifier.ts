// Wake-ups: a worker should not wait for a poll when work arrives. In one process, a commit
// wakes the worker directly; across processes PostgreSQL carries NOTIFY to LISTENers, and on
// SQLite a cheap look at PRAGMA data_version (it changes when another connection commits)
// stands in for it. The worker still polls now and then as the fallback.

import type { Database } from "./storage/types.ts";

export const CHANNEL = "weft_tasks";

type Listener = () => void;
type AppendListener = (runIds: readonly string[]) => void;

export class Notifier {
  private readonly listeners = new Set<Listener>();
  /** Followers of histories in this process (engine.watch: the app's event streams). */
  private readonly appendListeners = new Set<AppendListener>();
  private stopWatching: (() => Promise<void>) | undefined;

  constructor(private readonly db: Database) {}

  /** Tell every worker (here and elsewhere) that new work may be due. */
  async notify(): Promise<void> {
    for (const l of this.listeners) l();
    if (this.db.kind === "postgresql") await this.db.execute(`NOTIFY ${CHANNEL}`);
  }

  /** Wakes this process's listeners only (the commit itself sent the NOTIFY for the others). */
  wakeLocal(): void {
    for (const l of this.listeners) l();
  }

  /**
   * Calls `listener` after each commit of this process (a worker's steps, a start, a signal):
   * a history may have grown. Workers are not woken by their own steps' commits (they know),
   * so those who follow histories here need this to see each event at once, not at the next
   * poll. Commits of other processes come through `listen`.
   */
  onAppend(listener: AppendListener): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /** A commit of this process appended to these runs' histories; costs nothing while nobody follows one. */
  appended(runIds: readonly string[]): void {
    for (const l of this.appendListeners) l(runIds);
  }

  /** Calls `listener` when work may have arrived from this or another process. */
  async listen(listener: Listener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    if (!this.stopWatching) this.stopWatching = await this.watchOtherProcesses();
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.stopWatching) {
        const stop = this.stopWatching;
        this.stopWatching = undefined;
        await stop();
      }
    };
  }

  private async watchOtherProcesses(): Promise<() => Promise<void>> {
    const wakeAll = () => {
      for (const l of this.listeners) l();
    };
    const driver = this.db.driver;
    if (driver.kind === "postgresql") {
      const client = await driver.pool.connect();
      client.on("notification", wakeAll);
      await client.query(`LISTEN ${CHANNEL}`);
      return async () => {
        client.removeListener("notification", wakeAll);
        try {
          await client.query(`UNLISTEN ${CHANNEL}`);
        } finally {
          client.release();
        }
      };
    }
    const connection = driver.connection;
    const version = () => Number(connection.pragma("data_version", { simple: true }));
    let last = version();
    const timer = setInterval(() => {
      const now = version();
      if (now !== last) {
        last = now;
        wakeAll();
      }
    }, 20);
    timer.unref();
    return async () => clearInterval(timer);
  }
}
