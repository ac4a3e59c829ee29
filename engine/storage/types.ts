// The storage interface the engine and the app program against. Two implementations:
// sqlite.ts (better-sqlite3, the embedded default) and postgresql.ts (pg.Pool).
import type { PrismaClient } from "./prisma-client.ts";

/** A value bound to a `?` placeholder. Booleans become 1/0 on SQLite; arrays work on PostgreSQL only. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array | readonly SqlValue[];
export type Row = Record<string, unknown>;

/**
 * Raw SQL for the hot paths. Placeholders are `?` on both databases (translated to `$1…` for
 * PostgreSQL, skipping quoted text). Column names come back as written in the SELECT (our
 * columns are snake_case). Integers come back as `number` on both databases (SQLite INTEGER and
 * PostgreSQL BIGINT/COUNT(*) alike); instants are epoch milliseconds.
 */
export interface SqlExecutor {
  /** Rows of a SELECT, or of an INSERT/UPDATE/DELETE … RETURNING; [] for other statements. */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs one statement; resolves to the number of rows it changed. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  script(sql: string): Promise<void>;
}

export type DatabaseTarget =
  | { kind: "sqlite"; /** absolute path, or ":memory:" */ file: string }
  | { kind: "postgresql"; /** connection string without Prisma's ?schema= */ url: string; schema: string };

export interface Database extends SqlExecutor {
  readonly kind: "sqlite" | "postgresql";
  readonly target: DatabaseTarget;
  /**
   * The Prisma client over the same connection(s) as the raw handle: on SQLite the very same
   * better-sqlite3 connection, on PostgreSQL the same pg.Pool. Throws when the database was
   * opened with `{ prisma: false }`. Do not call it inside `transaction()`: use `tx` there.
   */
  readonly prisma: PrismaClient;
  /**
   * Runs fn in one transaction on one connection and commits when fn resolves (rolls back when
   * it throws). SQLite: BEGIN IMMEDIATE, so the write lock is taken up front and no later
   * statement can fail with SQLITE_BUSY halfway; PostgreSQL: BEGIN (READ COMMITTED).
   * Inside fn use only `tx`: `db.query`, `db.prisma` or a nested `db.transaction` there would
   * wait for this very transaction on SQLite, so they throw at once on both databases.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** The driver underneath, for what the interface does not cover (LISTEN/NOTIFY on PostgreSQL). */
  readonly driver: SqliteDriver | PostgresDriver;
  close(): Promise<void>;
}

/**
 * On SQLite every statement of this process goes through one connection guarded by one
 * in-process lock; touching `connection` directly bypasses that lock, so do it only for
 * read-only checks (pragmas) or from inside `transaction()`.
 */
export interface SqliteDriver {
  kind: "sqlite";
  connection: import("better-sqlite3").Database;
}
export interface PostgresDriver {
  kind: "postgresql";
  pool: import("pg").Pool;
}

export interface OpenOptions {
  /** Defaults to process.env.DATABASE_URL; unset or `file:…` is SQLite, `postgresql://…` PostgreSQL. */
  url?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /**
   * Load the Prisma client (default true). Commands that only run raw SQL pass false: the
   * client and its adapter cost about 80 ms to load, and its first query about 180 ms more
   * (compiling the query compiler's wasm). Opening SQLite without them takes about 20 ms.
   */
  prisma?: boolean;
  /** SQLite busy timeout in ms (default 5000): how long to wait for another process's write lock. */
  busyTimeoutMs?: number;
  /**
   * SQLite durability (default FULL, or WEFT_SQLITE_SYNCHRONOUS). FULL: an acknowledged
   * commit survives a power loss; NORMAL: only a process crash, but a commit costs ~15 µs
   * instead of ~180 µs (no fsync).
   */
  sqliteSynchronous?: "FULL" | "NORMAL";
  /** PostgreSQL pool size (default: the URL's connection_limit, else 10). */
  poolMax?: number;
}
