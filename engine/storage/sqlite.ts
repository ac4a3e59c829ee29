// SQLite through better-sqlite3: the embedded default.
//
// One connection per process and file, shared by the raw handle and the Prisma client.
// better-sqlite3 is synchronous, so sharing loses no parallelism, and it keeps one set of
// per-connection settings (synchronous, foreign keys, busy timeout) in force for both. A
// second connection in the same process would be worse than useless: its writes would wait,
// with a busy timeout that blocks the whole thread, for a transaction of the first connection
// that cannot finish while the thread is blocked.
//
// Prisma's adapter does not accept an existing connection, so we let it open one and adopt
// it (`.client`), then put every statement of both users behind one in-process lock (Gate):
// a transaction holds it from BEGIN to COMMIT across awaits, so no other async flow's
// statement can slip into it. Other processes are kept out by SQLite's own file locks.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { Gate, TransactionScope } from "./transaction-scope.ts";
import type {
  Database,
  DatabaseTarget,
  OpenOptions,
  Row,
  SqlExecutor,
  SqlValue,
  SqliteDriver,
} from "./types.ts";
import type { PrismaClient } from "./prisma-client.ts";

type PrismaAdapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type PrismaTransaction = Awaited<ReturnType<PrismaAdapter["startTransaction"]>>;
type SqlQuery = Parameters<PrismaAdapter["queryRaw"]>[0];
type Statement = BetterSqlite3.Statement<unknown[], unknown>;

type SqliteTarget = Extract<DatabaseTarget, { kind: "sqlite" }>;

/** One lock per database file per process, so two Database objects on one file cannot deadlock each other. */
const gates = new Map<string, { gate: Gate; users: number }>();

export async function openSqlite(target: SqliteTarget, options: OpenOptions): Promise<Database> {
  if (target.file !== ":memory:") mkdirSync(dirname(target.file), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const synchronous = options.sqliteSynchronous ?? envSynchronous() ?? "FULL";

  // Prisma's modules load only when wanted (about 100 ms), and before the connection opens,
  // so a failure here leaks nothing.
  const prismaModules =
    options.prisma === false
      ? null
      : await Promise.all([
          import("../../prisma/generated/sqlite/client.ts"),
          import("@prisma/adapter-better-sqlite3"),
        ]);

  let adapter: PrismaAdapter | null = null;
  let adapterName = "";
  let connection: BetterSqlite3.Database;
  if (prismaModules) {
    const factory = new prismaModules[1].PrismaBetterSqlite3({ url: target.file, timeout: busyTimeoutMs });
    adapterName = factory.adapterName;
    adapter = await factory.connect();
    connection = adoptConnection(adapter);
  } else {
    connection = new BetterSqlite3(target.file, { timeout: busyTimeoutMs });
  }
  try {
    // WAL: readers never block the writer, and a commit is one append to the log.
    // The mode is stored in the file; switching needs a moment's exclusive lock, which the
    // busy timeout waits for when several processes open a fresh file at once.
    const mode = connection.pragma("journal_mode = WAL", { simple: true });
    if (target.file !== ":memory:" && mode !== "wal") {
      throw new Error(`SQLite refused WAL mode for ${target.file} (journal_mode=${String(mode)})`);
    }
    // FULL: an acknowledged commit survives a power loss, not only a crash. better-sqlite3 is
    // built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL), so this must be set on every
    // connection. NORMAL makes a commit about 10x cheaper (no fsync: ~15 µs against ~180 µs
    // here) but a power loss may take back the last commits.
    connection.pragma(`synchronous = ${synchronous}`);
    connection.pragma("foreign_keys = ON");
    // The WAL file is not truncated after a checkpoint unless told; cap what it keeps.
    connection.pragma("journal_size_limit = 67108864");
  } catch (error) {
    connection.close();
    throw error;
  }

  let entry = gates.get(target.file);
  if (!entry) gates.set(target.file, (entry = { gate: new Gate(), users: 0 }));
  entry.users++;
  const gate = entry.gate;
  const scope = new TransactionScope(gate);

  let prisma: PrismaClient | null = null;
  if (prismaModules && adapter) {
    const gated = gatedAdapter(adapter, connection, gate, scope);
    prisma = new prismaModules[0].PrismaClient({
      adapter: { provider: "sqlite", adapterName, connect: async () => gated },
    }) as unknown as PrismaClient;
  }

  return new SqliteDatabase(
    target,
    connection,
    gate,
    scope,
    prisma,
    () => {
      if (--entry.users === 0) gates.delete(target.file);
    },
    busyTimeoutMs,
  );
}

function envSynchronous(): "FULL" | "NORMAL" | undefined {
  const value = process.env.WEFT_SQLITE_SYNCHRONOUS?.toUpperCase();
  if (value === undefined || value === "") return undefined;
  if (value === "FULL" || value === "NORMAL") return value;
  throw new Error(`WEFT_SQLITE_SYNCHRONOUS must be FULL or NORMAL, not ${value}`);
}

function adoptConnection(adapter: PrismaAdapter): BetterSqlite3.Database {
  const client = (adapter as unknown as { client?: unknown }).client;
  if (!(client instanceof BetterSqlite3)) {
    throw new Error(
      "@prisma/adapter-better-sqlite3 no longer exposes its connection as `.client`; " +
        "engine/storage/sqlite.ts must be updated for this version",
    );
  }
  return client;
}

/** Prisma's adapter, with its statements behind our lock and its transactions BEGIN IMMEDIATE. */
function gatedAdapter(
  inner: PrismaAdapter,
  connection: BetterSqlite3.Database,
  gate: Gate,
  scope: TransactionScope,
): PrismaAdapter {
  const sql = (text: string): SqlQuery => ({ sql: text, args: [], argTypes: [] });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async queryRaw(query) {
      scope.assertOutside("db.prisma");
      return gate.run(() => inner.queryRaw(query));
    },
    async executeRaw(query) {
      scope.assertOutside("db.prisma");
      return gate.run(() => inner.executeRaw(query));
    },
    async executeScript(script) {
      scope.assertOutside("db.prisma");
      return gate.run(() => inner.executeScript(script));
    },
    async startTransaction(isolationLevel) {
      scope.assertOutside("db.prisma.$transaction");
      // The adapter's own transactions use a plain (deferred) BEGIN: with other processes
      // writing, the first write of such a transaction can fail with SQLITE_BUSY at once
      // instead of waiting. IMMEDIATE takes the write lock up front, under the busy timeout.
      if (isolationLevel !== undefined && isolationLevel !== "SERIALIZABLE") {
        return inner.startTransaction(isolationLevel); // rejects with Prisma's own error
      }
      const release = await gate.acquire();
      try {
        await inner.executeRaw(sql("BEGIN IMMEDIATE"));
      } catch (error) {
        release();
        throw error;
      }
      // Prisma sends COMMIT / ROLLBACK itself (usePhantomQuery: false), then calls these.
      const finish = async () => {
        try {
          if (connection.inTransaction) connection.exec("ROLLBACK");
        } finally {
          release();
        }
      };
      const transaction: PrismaTransaction = {
        provider: inner.provider,
        adapterName: inner.adapterName,
        options: { usePhantomQuery: false },
        queryRaw: (query) => inner.queryRaw(query),
        executeRaw: (query) => inner.executeRaw(query),
        commit: finish,
        rollback: finish,
        createSavepoint: async (name) => void (await inner.executeRaw(sql(`SAVEPOINT ${name}`))),
        rollbackToSavepoint: async (name) => void (await inner.executeRaw(sql(`ROLLBACK TO ${name}`))),
        releaseSavepoint: async (name) => void (await inner.executeRaw(sql(`RELEASE SAVEPOINT ${name}`))),
      };
      return transaction;
    },
    getConnectionInfo: inner.getConnectionInfo?.bind(inner),
    // The Database owns the connection and closes it in close().
    dispose: async () => {},
  };
}

/** Raw statements on the connection, prepared once and cached. */
class Statements {
  #cache = new Map<string, Statement>();
  constructor(private readonly connection: BetterSqlite3.Database) {}

  get(sql: string): Statement {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      // Prisma's adapter turns safe integers on for the whole connection (it needs exact
      // 64-bit ids); our callers want plain numbers, like PostgreSQL's side gives them.
      statement.safeIntegers(false);
      if (this.#cache.size >= 500) this.#cache.clear();
      this.#cache.set(sql, statement);
    }
    return statement;
  }

  query<T>(sql: string, params: readonly SqlValue[] | undefined): T[] {
    const statement = this.get(sql);
    const args = bind(params);
    if (statement.reader) return statement.all(...args) as T[];
    statement.run(...args);
    return [];
  }

  execute(sql: string, params: readonly SqlValue[] | undefined): number {
    return this.get(sql).run(...bind(params)).changes;
  }
}

function bind(params: readonly SqlValue[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((value) => {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    if (Array.isArray(value)) throw new TypeError("array parameters work on PostgreSQL only");
    return value;
  });
}

/** The handle given to a transaction's callback: statements run directly, the lock is held. */
class SqliteTransaction implements SqlExecutor {
  constructor(
    private readonly statements: Statements,
    private readonly connection: BetterSqlite3.Database,
  ) {}
  async query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.statements.query<T>(sql, params);
  }
  async execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.statements.execute(sql, params);
  }
  async script(sql: string): Promise<void> {
    this.connection.exec(sql);
  }
}

class SqliteDatabase implements Database {
  readonly kind = "sqlite" as const;
  readonly driver: SqliteDriver;
  readonly #statements: Statements;
  readonly #tx: SqliteTransaction;
  #closed = false;

  constructor(
    readonly target: SqliteTarget,
    private readonly connection: BetterSqlite3.Database,
    private readonly gate: Gate,
    private readonly scope: TransactionScope,
    private readonly client: PrismaClient | null,
    private readonly onClose: () => void,
    private readonly busyTimeoutMs: number,
  ) {
    this.driver = { kind: "sqlite", connection };
    this.#statements = new Statements(connection);
    this.#tx = new SqliteTransaction(this.#statements, connection);
  }

  get prisma(): PrismaClient {
    if (!this.client) throw new Error("this database was opened with { prisma: false }");
    return this.client;
  }

  async query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.scope.assertOutside("db.query");
    if (this.#statements.get(sql).readonly) return this.gate.run(() => this.#statements.query<T>(sql, params));
    const { value, release } = await this.whenWritable(() => this.#statements.query<T>(sql, params));
    release();
    return value;
  }

  async execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    this.scope.assertOutside("db.execute");
    if (this.#statements.get(sql).readonly) return this.gate.run(() => this.#statements.execute(sql, params));
    const { value, release } = await this.whenWritable(() => this.#statements.execute(sql, params));
    release();
    return value;
  }

  async script(sql: string): Promise<void> {
    this.scope.assertOutside("db.script");
    return this.gate.run(() => {
      this.connection.exec(sql);
    });
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.scope.assertOutside("db.transaction");
    // IMMEDIATE: take the write lock now rather than fail with SQLITE_BUSY at the first write
    // after reads.
    const { release } = await this.whenWritable(() => this.#statements.get("BEGIN IMMEDIATE").run());
    try {
      try {
        const result = await this.scope.within(() => fn(this.#tx));
        this.#statements.get("COMMIT").run();
        return result;
      } catch (error) {
        // A failed COMMIT, or an error SQLite already rolled back for (inTransaction false).
        if (this.connection.inTransaction) this.connection.exec("ROLLBACK");
        throw error;
      }
    } finally {
      release();
    }
  }

  /**
   * Runs fn, whose statement needs the file's write lock (BEGIN IMMEDIATE, or a write outside a
   * transaction), holding the in-process gate; resolves with fn's value and the gate's release.
   * While another process holds the write lock we wait here, retrying every millisecond with the
   * gate released, rather than in SQLite's busy handler: that one sleeps with the whole thread
   * blocked and backs off to naps of up to 100 ms, so worker processes sharing a file spent most
   * of their time asleep. A statement that failed with SQLITE_BUSY did nothing, so a retry is safe.
   */
  private async whenWritable<T>(fn: () => T): Promise<{ value: T; release: () => void }> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      const release = await this.gate.acquire();
      // The last try waits in the busy handler as before; the others fail fast.
      const last = Date.now() >= deadline;
      try {
        if (!last) this.connection.pragma("busy_timeout = 0");
        try {
          return { value: fn(), release };
        } finally {
          if (!last) this.connection.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
        }
      } catch (error) {
        release();
        if (last || (error as { code?: string }).code !== "SQLITE_BUSY") throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.client?.$disconnect();
    } finally {
      // Wait for a transaction still running elsewhere in the process, then close.
      const release = await this.gate.acquire();
      try {
        this.connection.close();
      } finally {
        release();
        this.onClose();
      }
    }
  }
}
