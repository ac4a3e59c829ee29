// Opening Weft's database from DATABASE_URL: unset or `file:…` is an SQLite file (default
// ./data/weft.db), `postgresql://…` is PostgreSQL. Pending migrations are applied on open,
// so no user ever runs a migration step.
import { resolve } from "node:path";
import { migrate } from "./migrate.ts";
import type { Database, DatabaseTarget, OpenOptions } from "./types.ts";

export type {
  Database,
  DatabaseTarget,
  OpenOptions,
  Row,
  SqlExecutor,
  SqlValue,
} from "./types.ts";

export const DEFAULT_SQLITE_FILE = "data/weft.db";

/** Where DATABASE_URL points. Relative SQLite paths are taken from `cwd`. */
export function parseDatabaseUrl(url: string | undefined, cwd = process.cwd()): DatabaseTarget {
  if (url === undefined || url.trim() === "") {
    return { kind: "sqlite", file: resolve(cwd, DEFAULT_SQLITE_FILE) };
  }
  if (url.startsWith("file:")) {
    // file:./x.db, file:x.db, file:/abs/x.db, file:///abs/x.db; a ?query is Prisma's, not a path
    let path = url.slice("file:".length).replace(/\?.*$/, "");
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new Error(`DATABASE_URL ${url} names no file`);
    if (path === ":memory:") return { kind: "sqlite", file: ":memory:" };
    return { kind: "sqlite", file: resolve(cwd, decodeURIComponent(path)) };
  }
  if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? "public";
    // The schema becomes an unquoted search_path (case-folded) and a quoted name in Prisma's
    // queries (not folded): only a lower-case plain identifier means the same to both.
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
      throw new Error(`DATABASE_URL schema must be a lower-case plain identifier ([a-z_][a-z0-9_]*), not ${JSON.stringify(schema)}`);
    }
    parsed.searchParams.delete("schema");
    return { kind: "postgresql", url: parsed.toString(), schema };
  }
  throw new Error("DATABASE_URL must be unset, file:PATH (SQLite) or postgresql://… (PostgreSQL)");
}

/** Opens (and by default migrates) the database. The caller closes it. */
export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(options.url ?? process.env.DATABASE_URL);
  // Loaded on demand: a process on SQLite never loads pg, and the other way round.
  const db =
    target.kind === "sqlite"
      ? await (await import("./sqlite.ts")).openSqlite(target, options)
      : await (await import("./postgresql.ts")).openPostgres(target, options);
  if (options.migrate !== false) {
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}
