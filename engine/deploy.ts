// Deployed versions: compile a document, store its TypeScript module and that module
// transpiled to CommonJS (what the sandbox runs) as the next version of its name, and read
// versions back. Old versions stay stored: a run stays on the version it started with.
//
// The compiler and TypeScript are loaded only by `deploy` and `transpileModule`, so that a
// process that only reads versions (a worker, `weft describe`) does not pay for them.

import { createRequire } from "node:module";
import type { Diagnostic } from "../compiler/diagnostics.ts";
import type { Database, SqlExecutor } from "./storage/database.ts";

type TypeScript = typeof import("typescript");
let typescript: TypeScript | undefined;

function loadTypeScript(): TypeScript {
  typescript ??= createRequire(import.meta.url)("typescript") as TypeScript;
  return typescript;
}

/**
 * A compiled module's TypeScript as CommonJS JavaScript (ES2022, no source map): what the
 * sandbox evaluates. Type-only imports disappear. Same input, same output.
 */
export function transpileModule(source: string, fileName: string): string {
  const ts = loadTypeScript();
  const out = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: false,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      sourceMap: false,
      inlineSourceMap: false,
      inlineSources: false,
      declaration: false,
      importHelpers: false,
      esModuleInterop: false,
      isolatedModules: true,
      newLine: ts.NewLineKind.LineFeed,
    },
  });
  return out.outputText;
}

/** A document that does not compile, or a deployment the database refused. */
export class DeployError extends Error {
  /** The compiler's diagnostics ([] when the document compiled but could not be stored). */
  readonly diagnostics: Diagnostic[];
  /** "invalid": the document is not JSON or does not compile; "conflict": it compiled but cannot be stored. */
  readonly reason: "invalid" | "conflict";
  constructor(message: string, diagnostics: Diagnostic[] = [], reason: "invalid" | "conflict" = "invalid") {
    super(message);
    this.name = "DeployError";
    this.diagnostics = diagnostics;
    this.reason = reason;
  }
}

export interface DeployResult {
  name: string;
  version: number;
  hash: string;
  /**
   * False when the newest version of this name already had this hash: nothing was stored. The
   * hash leaves out positions, labels and the title, so a document changed only in those is
   * not stored again either.
   */
  created: boolean;
}

export interface WorkflowVersionRow {
  name: string;
  version: number;
  hash: string;
  /** The document as deployed (parsed). */
  document: unknown;
  /** The compiled TypeScript module. */
  source: string;
  /** The module transpiled to CommonJS: what the sandbox runs. */
  code: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface WorkflowSummary {
  name: string;
  /** The newest version. */
  version: number;
  hash: string;
  createdAt: number;
  /** The newest version's document title, if it has one. */
  title?: string;
  /** How many versions are stored. */
  versions: number;
}

export interface DeployOptions {
  /**
   * Declares the new version compatible with this older version of the same workflow: runs
   * started on it (and on versions it was itself declared compatible with) resume on the new
   * code, which must replay their histories as the old code did.
   */
  compatibleWith?: number;
}

/** Compiles a document and stores it as the next version of its name (idempotent for an unchanged document). */
export async function deploy(db: Database, document: unknown, options: DeployOptions = {}): Promise<DeployResult> {
  const { compatibleWith } = options;
  if (compatibleWith !== undefined && !(Number.isSafeInteger(compatibleWith) && compatibleWith >= 1)) {
    throw new DeployError(`--compatible-with must be a version number (1, 2, …), not ${JSON.stringify(compatibleWith)}`);
  }
  if (typeof document === "string") {
    try {
      document = JSON.parse(document);
    } catch (error) {
      throw new DeployError(`the workflow document is not JSON: ${(error as Error).message}`);
    }
  }
  const [{ compile }, { describeDiagnostic }] = await Promise.all([
    import("../compiler/compile.ts"),
    import("../compiler/diagnostics.ts"),
  ]);
  const compiled = compile(document, { target: "weft" });
  if (!compiled.ok) {
    const name = isObject(document) && typeof document.name === "string" ? ` "${document.name}"` : "";
    const count = compiled.diagnostics.length;
    throw new DeployError(
      `workflow document${name} has ${count} error${count === 1 ? "" : "s"}: ${compiled.diagnostics.map(describeDiagnostic).join("; ")}`,
      compiled.diagnostics,
    );
  }
  const { name, hash, code: source } = compiled;
  const code = transpileModule(source, `${name}.ts`);
  const documentText = JSON.stringify(document);

  // Two deployers of one name at once on PostgreSQL (READ COMMITTED) may both pick the same
  // next version: the loser's insert hits the primary key, and it tries again, seeing the
  // winner's row (so an identical document becomes `created: false`).
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const latest = await latestRow(tx, name);
        // The same code again: runs of the latest version already run it.
        if (latest && latest.hash === hash) return { name, version: latest.version, hash, created: false };
        const version = (latest?.version ?? 0) + 1;
        if (compatibleWith !== undefined && compatibleWith >= version) {
          throw new DeployError(
            `${name} has no version ${compatibleWith} to be compatible with: ` +
              (latest ? `its versions are 1 to ${latest.version}` : "this is its first version"),
          );
        }
        await tx.execute(
          "INSERT INTO workflow_version (name, version, hash, document, source, code, created_at, compatible_with) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          [name, version, hash, documentText, source, code, Date.now(), compatibleWith ?? null],
        );
        return { name, version, hash, created: true };
      });
    } catch (error) {
      if (error instanceof DeployError || !isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

async function latestRow(tx: SqlExecutor, name: string): Promise<{ version: number; hash: string } | undefined> {
  const rows = await tx.query<{ version: number; hash: string }>(
    "SELECT version, hash FROM workflow_version WHERE name = ? ORDER BY version DESC LIMIT 1",
    [name],
  );
  const row = rows[0];
  return row ? { version: Number(row.version), hash: row.hash } : undefined;
}

/** One version of a workflow: the newest when `version` is omitted; undefined when there is none. */
export async function getVersion(db: SqlExecutor, name: string, version?: number): Promise<WorkflowVersionRow | undefined> {
  const columns = "name, version, hash, document, source, code, created_at";
  const rows =
    version === undefined
      ? await db.query(`SELECT ${columns} FROM workflow_version WHERE name = ? ORDER BY version DESC LIMIT 1`, [name])
      : await db.query(`SELECT ${columns} FROM workflow_version WHERE name = ? AND version = ?`, [name, version]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    name: row.name as string,
    version: Number(row.version),
    hash: row.hash as string,
    document: JSON.parse(row.document as string),
    source: row.source as string,
    code: row.code as string,
    createdAt: Number(row.created_at),
  };
}

/** Every deployed workflow name with its newest version, by name. */
export async function listWorkflows(db: SqlExecutor): Promise<WorkflowSummary[]> {
  const rows = await db.query(
    `SELECT v.name, v.version, v.hash, v.created_at, v.document, n.versions
       FROM workflow_version v
       JOIN (SELECT name, MAX(version) AS latest, COUNT(*) AS versions FROM workflow_version GROUP BY name) n
         ON n.name = v.name AND n.latest = v.version
`,
  );
  const sorted = rows.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1));
  return sorted.map((row) => {
    let title: string | undefined;
    try {
      const doc = JSON.parse(row.document as string) as { title?: unknown };
      if (typeof doc.title === "string" && doc.title.trim() !== "") title = doc.title;
    } catch {
      // a document is stored only after it compiled; unreadable means no title
    }
    return {
      name: row.name as string,
      version: Number(row.version),
      hash: row.hash as string,
      createdAt: Number(row.created_at),
      ...(title === undefined ? {} : { title }),
      versions: Number(row.versions),
    };
  });
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // PostgreSQL unique_violation; SQLite SQLITE_CONSTRAINT_PRIMARYKEY / _UNIQUE.
  return code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
