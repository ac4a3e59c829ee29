// Telling a dead worker from a live one, sooner than its leases would (issue 10, item 2).
//
// A lease ends a whole lease length (10 s by default) after a worker stopped renewing it: long
// enough to ride out a busy moment, far too long to leave a killed worker's runs standing. So
// every worker also looks, four times a second, for registered workers that are certainly
// dead, and takes their work over at once (Worker.takeOverDead): their lost attempts are
// recorded (WorkerLost), and their other tasks' leases end, to be claimed as expired ones are.
//
// "Certainly" is the point: a worker taken for dead while alive would see its attempts run
// again elsewhere. Each check can only err towards "alive", where the lease still settles it:
//
// - SQLite: every process using the file is on this machine, so the registry's pid is checked
//   directly. No such process (ESRCH), or a zombie (killed, not yet reaped by its parent), is
//   dead. A live process with that pid may be another program that got the pid since: when its
//   start time (Linux, /proc) is after the worker registered, the worker is dead too; where the
//   start time cannot be read the process counts as alive. Rows of other hosts are left alone.
// - PostgreSQL: workers may be on any machine. Each holds a session-level advisory lock on a
//   connection of its own (classid: hashtext('weft:worker:' || schema), objid: its registry
//   row's lock_key), taken before it registers and released by the server the moment that
//   connection dies (process killed, machine gone). A registered worker whose lock is not held
//   is dead. Rows without a lock_key (workers of earlier versions) are never taken for dead.
//   A live worker whose lock connection dropped (a network blip) may be taken for dead: its
//   attempts are then run again elsewhere, as after a lease that ran out, and it takes a lock
//   again and registers again.

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type pg from "pg";
import { toDollarPlaceholders } from "../storage/placeholders.ts";
import type { Database, Row, SqlExecutor, SqlValue } from "../storage/types.ts";

/**
 * How often a worker looks for dead workers: most of the time from a death to its takeover. A
 * look is one small read (SQLite: and a signal 0 per worker of this host), four a second.
 */
export const LIVENESS_CHECK_MS = 250;

/** The advisory lock namespace of a schema's workers (several schemas may share one database). */
function lockClass(db: Database): string {
  return `weft:worker:${db.target.kind === "postgresql" ? db.target.schema : "sqlite"}`;
}

/**
 * This worker's proof of life on PostgreSQL: the advisory lock it holds on a connection of its
 * own. On SQLite it holds nothing (its pid is proof enough), and `key` is null.
 */
export class LivenessLock {
  private client: pg.Client | undefined;
  private types: pg.CustomTypesConfig | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: Database,
    private readonly log: (line: string) => void,
    /** Called with the new key when the lock had to be taken again (the connection dropped). */
    private readonly onRelock: (key: number) => void,
    public key: number | null,
  ) {}

  /**
   * Where to look for dead workers and take their work over: on PostgreSQL this lock's own
   * connection, which runs nothing else, so that a takeover never waits in the pool's queue
   * behind a busy worker's commits; while it reconnects, and on SQLite, the database.
   */
  get executor(): SqlExecutor {
    const client = this.client;
    if (!client) return this.db;
    const types = this.types;
    const run = (sql: string, params?: readonly SqlValue[]) => client.query({ text: toDollarPlaceholders(sql), values: params as unknown[] | undefined, types });
    return {
      query: async <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) => (await run(sql, params)).rows as T[],
      execute: async (sql: string, params?: readonly SqlValue[]) => (await run(sql, params)).rowCount ?? 0,
      script: async (sql: string) => {
        await client.query(sql);
      },
    };
  }

  /**
   * Runs `fn` in one transaction on `executor`'s connection: taking a dead worker's work over
   * is one commit (on SQLite, one wait for the file's write lock, not one per statement) that
   * happens whole or not at all.
   */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client) return this.db.transaction(fn);
    const tx = this.executor;
    await client.query("BEGIN");
    try {
      const result = await fn(tx);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
  }

  static async take(db: Database, log: (line: string) => void, onRelock: (key: number) => void): Promise<LivenessLock> {
    const lock = new LivenessLock(db, log, onRelock, null);
    if (db.driver.kind === "postgresql") await lock.connect();
    return lock;
  }

  private async connect(): Promise<void> {
    if (this.db.driver.kind !== "postgresql") return;
    const { default: pgModule } = await import("pg");
    // BIGINT as a number, as the pool's statements read it (storage/postgresql.ts).
    this.types ??= {
      getTypeParser: ((oid: number, format?: "text" | "binary") => {
        if (oid === 20 && format !== "binary") return (text: string) => (Number.isSafeInteger(Number(text)) ? Number(text) : BigInt(text));
        return pgModule.types.getTypeParser(oid, format as "text");
      }) as pg.CustomTypesConfig["getTypeParser"],
    };
    // The pool's own settings (address, credentials, search_path), on a connection outside it:
    // the lock lives as long as this connection, which runs nothing else.
    const client = new pgModule.Client({ ...this.db.driver.pool.options, application_name: "weft worker liveness" } as pg.ClientConfig);
    client.on("error", () => {}); // followed by "end", where it is handled
    await client.connect();
    try {
      // A key no live worker of this schema holds: random, and taken only if free.
      for (let i = 0; ; i++) {
        const key = 1 + Math.floor(Math.random() * 0x7ffffffe);
        const rows = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1), $2) AS ok", [lockClass(this.db), key]);
        if (rows.rows[0]?.ok) {
          this.key = key;
          break;
        }
        if (i >= 20) throw new Error("no free advisory lock key after 20 tries");
      }
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.client = client;
    client.once("end", () => {
      if (this.stopped) return;
      this.client = undefined;
      this.log("weft worker: its liveness connection to PostgreSQL ended; taking its lock again");
      this.reconnect();
    });
  }

  private reconnect(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      this.connect().then(
        () => this.onRelock(this.key!),
        (err) => {
          this.log(`weft worker: taking its liveness lock again failed (${(err as Error).message}); trying again`);
          this.reconnect();
        },
      );
    }, 1000);
  }

  /** Releases the lock (the worker has unregistered first, so that nobody takes it for dead). */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }
}

/**
 * Registered workers other than `selfId` that are certainly dead (see the top of the file).
 * One read of the registry (SQLite: and a signal 0 per worker of this host; PostgreSQL: joined
 * with pg_locks in the same statement), through `executor` (default: the database).
 */
export async function deadWorkers(db: Database, selfId: string, executor: SqlExecutor = db): Promise<string[]> {
  if (db.kind === "postgresql") {
    const rows = await executor.query(
      `SELECT w.id FROM worker w
       WHERE w.id <> ? AND w.lock_key IS NOT NULL
         AND NOT EXISTS (
           SELECT 1 FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid = hashtext(?)::oid AND l.objid = w.lock_key::oid)`,
      [selfId, lockClass(db)],
    );
    return rows.map((r) => String(r.id));
  }
  const rows = await executor.query("SELECT id, pid, started_at FROM worker WHERE id <> ? AND host = ?", [selfId, hostname()]);
  return rows.filter((r) => processGone(Number(r.pid), Number(r.started_at))).map((r) => String(r.id));
}

/** Whether the process `pid`, which registered a worker at `registeredAt`, is certainly gone. */
export function processGone(pid: number, registeredAt: number): boolean {
  if (pid === process.pid || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: a process of another user has the pid: alive as far as we can tell.
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
  const stat = procStat(pid);
  if (stat === "gone") return true;
  if (stat === undefined) return false;
  // Killed and not yet reaped: its parent has not looked yet, but it runs nothing.
  if (stat.state === "Z" || stat.state === "X") return true;
  // Started after the worker registered: the pid was reused. (The worker's process started
  // before it registered; the boot time in /proc is in whole seconds, hence the margin.)
  return stat.startedAt !== undefined && stat.startedAt > registeredAt + 2000;
}

let bootMs: number | null | undefined;
/** Ticks per second of /proc's start times (USER_HZ), checked against this process's own start. */
let ticksPerSecond: number | null | undefined;

/** A process's state and start time (epoch ms) from /proc/PID/stat; "gone" if it has no entry; undefined off Linux. */
function procStat(pid: number): { state: string; startedAt?: number } | "gone" | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && procAvailable()) return "gone";
    return undefined;
  }
  const fields = afterCommand(text);
  if (!fields) return undefined;
  const hz = userHz();
  const ticks = Number(fields[19]);
  return { state: fields[0]!, ...(hz && bootMs && Number.isFinite(ticks) ? { startedAt: bootMs + (ticks * 1000) / hz } : {}) };
}

function procAvailable(): boolean {
  try {
    readFileSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
}

/** The fields after the command name (which may hold spaces and parentheses): [state, ppid, …]. */
function afterCommand(text: string): string[] | undefined {
  const end = text.lastIndexOf(")");
  return end < 0 ? undefined : text.slice(end + 2).trim().split(" ");
}

/**
 * USER_HZ is 100 on every mainstream Linux, but Node cannot ask sysconf: it is checked once
 * against this process's own start time, and the start time check is skipped if it does not fit.
 */
function userHz(): number | null {
  if (ticksPerSecond !== undefined) return ticksPerSecond;
  ticksPerSecond = null;
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
    const own = afterCommand(readFileSync("/proc/self/stat", "utf8"));
    if (!btime || !own) return null;
    bootMs = Number(btime[1]) * 1000;
    const ownStart = Date.now() - process.uptime() * 1000;
    const seconds = (ownStart - bootMs) / 1000;
    const ticks = Number(own[19]);
    // Too soon after boot to tell; otherwise within two seconds' worth of 100 (btime is whole
    // seconds).
    if (seconds >= 10 && Math.abs(ticks - seconds * 100) <= 200) ticksPerSecond = 100;
  } catch {
    // Not Linux: no start times.
  }
  return ticksPerSecond;
}
