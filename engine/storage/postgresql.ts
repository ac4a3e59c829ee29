// PostgreSQL through one pg.Pool, shared by the raw handle and the Prisma client (PrismaPg
// takes an external pool), so the process holds one set of connections.
//
// The schema comes from DATABASE_URL's `?schema=` (Prisma's convention; default public). pg
// does not know that parameter, so every connection gets it as its search_path at start-up
// (raw SQL stays unqualified) and PrismaPg is told it too (it qualifies its own queries).
import pg from "pg";
import type { PrismaPg } from "@prisma/adapter-pg";
import { TransactionScope } from "./transaction-scope.ts";
import { preparedName, toDollarPlaceholders } from "./placeholders.ts";
import type {
  Database,
  DatabaseTarget,
  OpenOptions,
  PostgresDriver,
  Row,
  SqlExecutor,
  SqlValue,
} from "./types.ts";
import type { PrismaClient } from "./prisma-client.ts";

type PostgresTarget = Extract<DatabaseTarget, { kind: "postgresql" }>;
type PrismaAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;

const INT8 = 20;

// pg returns BIGINT (and COUNT(*), and BIGSERIAL ids) as strings, because they can exceed
// 2^53. Ours never do in practice (ids, counts, epoch ms), and SQLite's side returns numbers,
// so raw queries parse them to numbers, keeping a bigint only past 2^53 rather than
// rounding. Given per query: the pool is shared with Prisma, which has its own parsers.
const rawTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8 && format !== "binary") return parseInt8;
    return pg.types.getTypeParser(oid, format as "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

export async function openPostgres(target: PostgresTarget, options: OpenOptions): Promise<Database> {
  // Prisma's modules load only when wanted (about 80 ms).
  const prismaModules =
    options.prisma === false
      ? null
      : await Promise.all([import("../../prisma/generated/postgresql/client.ts"), import("@prisma/adapter-pg")]);

  // Prisma's ?connection_limit= sizes the pool; pg itself does not know it.
  const url = new URL(target.url);
  const limit = url.searchParams.get("connection_limit");
  url.searchParams.delete("connection_limit");
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: options.poolMax ?? (limit ? Number(limit) : 10),
    // search_path for the session, sent in the start-up packet: no extra round trip.
    options: target.schema === "public" ? undefined : `-c search_path=${target.schema}`,
  });
  // An idle connection dropped by the server emits 'error' on the pool; unhandled, that
  // would crash the process. The pool discards the connection and the next checkout opens a
  // new one; queries in flight still reject with their own error.
  pool.on("error", () => {});

  const db = new PostgresDatabase(target, pool);
  if (prismaModules) {
    const factory = new prismaModules[1].PrismaPg(pool, { schema: target.schema });
    const scope = db.scope;
    db.client = new prismaModules[0].PrismaClient({
      adapter: {
        provider: factory.provider,
        adapterName: factory.adapterName,
        connect: async () => guardedAdapter(await factory.connect(), scope),
      },
    }) as unknown as PrismaClient;
  }
  return db;
}

/** PrismaPg's adapter, refusing to run inside one of our transactions (see transaction-scope.ts). */
function guardedAdapter(inner: PrismaAdapter, scope: TransactionScope): PrismaAdapter {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async queryRaw(query) {
      scope.assertOutside("db.prisma");
      return inner.queryRaw(query);
    },
    async executeRaw(query) {
      scope.assertOutside("db.prisma");
      return inner.executeRaw(query);
    },
    async executeScript(script) {
      scope.assertOutside("db.prisma");
      return inner.executeScript(script);
    },
    async startTransaction(isolationLevel) {
      scope.assertOutside("db.prisma.$transaction");
      return inner.startTransaction(isolationLevel);
    },
    getConnectionInfo: inner.getConnectionInfo?.bind(inner),
    dispose: () => inner.dispose(), // releases nothing of ours: the pool is external to PrismaPg
  } as PrismaAdapter;
}

class PostgresExecutor implements SqlExecutor {
  constructor(private readonly client: pg.Pool | pg.PoolClient) {}

  async query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    const result = await this.client.query({
      name: preparedName(sql),
      text: toDollarPlaceholders(sql),
      values: params as unknown[] | undefined,
      types: rawTypes,
    });
    return result.rows as T[];
  }

  async execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    const result = await this.client.query({
      name: preparedName(sql),
      text: toDollarPlaceholders(sql),
      values: params as unknown[] | undefined,
      types: rawTypes,
    });
    return result.rowCount ?? 0;
  }

  async script(sql: string): Promise<void> {
    // No parameters: pg uses the simple query protocol, which accepts several statements.
    await this.client.query(sql);
  }
}

class PostgresDatabase implements Database {
  readonly kind = "postgresql" as const;
  readonly driver: PostgresDriver;
  readonly scope = new TransactionScope(this);
  client: PrismaClient | null = null;
  readonly #pool: pg.Pool;
  readonly #executor: PostgresExecutor;
  #closed = false;

  constructor(
    readonly target: PostgresTarget,
    pool: pg.Pool,
  ) {
    this.#pool = pool;
    this.driver = { kind: "postgresql", pool };
    this.#executor = new PostgresExecutor(pool);
  }

  get prisma(): PrismaClient {
    if (!this.client) throw new Error("this database was opened with { prisma: false }");
    return this.client;
  }

  async query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.scope.assertOutside("db.query");
    return this.#executor.query<T>(sql, params);
  }

  async execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    this.scope.assertOutside("db.execute");
    return this.#executor.execute(sql, params);
  }

  async script(sql: string): Promise<void> {
    this.scope.assertOutside("db.script");
    return this.#executor.script(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.scope.assertOutside("db.transaction");
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await this.scope.within(() => fn(new PostgresExecutor(client)));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true; // the connection is unusable: drop it rather than return it to the pool
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.client?.$disconnect();
    } finally {
      await this.#pool.end();
    }
  }
}
