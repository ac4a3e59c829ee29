// Weft's own migrator: applies prisma/<db>/migrations/<name>/migration.sql in name order and
// records each in _weft_migrations. (`prisma migrate` cannot run here: it needs the native
// schema engine, which cannot be downloaded.)
//
// - Idempotent: applied migrations are skipped; an up-to-date database costs one read.
// - Safe when several processes start at once: the work happens in one transaction that
//   first takes a lock (SQLite: BEGIN IMMEDIATE, the file's write lock; PostgreSQL:
//   pg_advisory_xact_lock, per schema), then re-reads what is applied. DDL is transactional
//   on both databases, so a failed migration leaves nothing half-done.
// - Strict: a migration whose file changed after it was applied, or an applied migration this
//   code does not know (the database was migrated by a newer Weft), is an error.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database, SqlExecutor } from "./types.ts";

export interface Migration {
  /** the folder name, e.g. 20261122000000_init */
  id: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_TABLE = "_weft_migrations";

export function defaultMigrationsDir(kind: Database["kind"]): string {
  return fileURLToPath(new URL(`../../prisma/${kind}/migrations/`, import.meta.url));
}

export function loadMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((id) => {
      // Line endings normalised so a checkout with CRLF does not look like an edit.
      const sql = readFileSync(join(dir, id, "migration.sql"), "utf8").replace(/\r\n/g, "\n");
      return { id, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Applies pending migrations; resolves to the ids it applied (empty when up to date). */
export async function migrate(db: Database, options: { dir?: string } = {}): Promise<string[]> {
  const migrations = loadMigrations(options.dir ?? defaultMigrationsDir(db.kind));

  // Fast path, no lock: everything applied already (the common case at every start-up).
  const seen = await readApplied(db);
  if (seen && check(migrations, seen).length === 0) return [];

  return db.transaction(async (tx) => {
    if (db.target.kind === "postgresql") {
      // One migrator per schema at a time; the others wait here, then find nothing to do.
      await tx.query("SELECT pg_advisory_xact_lock(hashtext(?))", [`weft:migrate:${db.target.schema}`]);
      await tx.script(`CREATE SCHEMA IF NOT EXISTS "${db.target.schema}"`);
    }
    const instant = db.kind === "sqlite" ? "REAL" : "DOUBLE PRECISION";
    await tx.script(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at ${instant} NOT NULL)`,
    );
    const applied = await appliedIn(tx);
    const pending = check(migrations, applied);
    for (const migration of pending) {
      try {
        await tx.script(migration.sql);
      } catch (error) {
        throw new Error(`migration ${migration.id} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.execute(`INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, applied_at) VALUES (?, ?, ?)`, [
        migration.id,
        migration.checksum,
        Date.now(),
      ]);
    }
    return pending.map((migration) => migration.id);
  });
}

/** The pending migrations, after checking the applied ones against the files. */
function check(migrations: Migration[], applied: Map<string, string>): Migration[] {
  const known = new Set(migrations.map((migration) => migration.id));
  for (const id of applied.keys()) {
    if (!known.has(id)) {
      throw new Error(`the database has migration ${id}, which this version of Weft does not know: it was migrated by a newer version`);
    }
  }
  for (const migration of migrations) {
    const checksum = applied.get(migration.id);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new Error(`migration ${migration.id} was changed after it was applied; add a new migration instead`);
    }
  }
  return migrations.filter((migration) => !applied.has(migration.id));
}

/** Applied migrations, or null when the ledger table does not exist yet. */
async function readApplied(db: Database): Promise<Map<string, string> | null> {
  const exists =
    db.kind === "sqlite"
      ? await db.query("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE])
      : await db.query("SELECT 1 AS present WHERE to_regclass(?) IS NOT NULL", [MIGRATIONS_TABLE]);
  return exists.length === 0 ? null : appliedIn(db);
}

async function appliedIn(executor: SqlExecutor): Promise<Map<string, string>> {
  const rows = await executor.query<{ id: string; checksum: string }>(`SELECT id, checksum FROM ${MIGRATIONS_TABLE}`);
  return new Map(rows.map((row) => [row.id, row.checksum]));
}
