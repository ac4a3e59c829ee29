// Deploying: compile a document, store its TypeScript module and that module transpiled to
// CommonJS (what the sandbox runs) as the next version of its name, through the version store
// (version-store.ts, which also reads versions back). Old versions stay stored: a run stays on
// the version it started with.
//
// The compiler and TypeScript are loaded only by `deploy` and `transpileModule`, so that a
// process that only reads versions (a worker, `weft describe`) does not pay for them.

import { createRequire } from "node:module";
import type { Diagnostic } from "../compiler/diagnostics.ts";
import type { Database } from "./storage/database.ts";
import { insertVersion, latestVersion } from "./version-store.ts";

// What reads versions back lives in the version store; re-exported for deploy's callers.
export { getVersion, listWorkflows, type WorkflowSummary, type WorkflowVersionRow } from "./version-store.ts";

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

export interface DeployOptions {
  /**
   * Declares the new version compatible with this older version of the same workflow: runs
   * started on it (and on versions it was itself declared compatible with) resume on the new
   * code, which must replay their histories as the old code did.
   */
  compatibleWith?: number;
  /** Who deploys it (a person's name), kept with the version. */
  deployedBy?: string;
}

/**
 * A document's problems as the engine's callers see them (`EngineError.errors`, the designer's
 * Problems list): the node or edge id, and the message led by the field when there is one.
 */
export function documentErrors(diagnostics: readonly Diagnostic[]): { id: string; message: string }[] {
  return diagnostics.map((d) => ({ id: d.id, message: d.field ? `${d.field}: ${d.message}` : d.message }));
}

/**
 * The problems deploy would find in a document, without storing anything ([] when it would
 * deploy): the compiler run exactly as deploy runs it.
 */
export async function checkDocument(document: unknown): Promise<{ id: string; message: string }[]> {
  const { compile } = await import("../compiler/compile.ts");
  const compiled = compile(document, { target: "weft" });
  return compiled.ok ? [] : documentErrors(compiled.diagnostics);
}

/** Compiles a document and stores it as the next version of its name (idempotent for an unchanged document). */
export async function deploy(db: Database, document: unknown, options: DeployOptions = {}): Promise<DeployResult> {
  const { compatibleWith, deployedBy } = options;
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
  const { name, hash, code: source, waits } = compiled;
  const code = transpileModule(source, `${name}.ts`);
  const documentText = JSON.stringify(document);

  // Two deployers of one name at once on PostgreSQL (READ COMMITTED) may both pick the same
  // next version: the loser's insert hits the primary key, and it tries again, seeing the
  // winner's row (so an identical document becomes `created: false`).
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const latest = await latestVersion(tx, name);
        // The same code again: runs of the latest version already run it.
        if (latest && latest.hash === hash) return { name, version: latest.version, hash, created: false };
        const version = (latest?.version ?? 0) + 1;
        if (compatibleWith !== undefined && compatibleWith >= version) {
          throw new DeployError(
            `${name} has no version ${compatibleWith} to be compatible with: ` +
              (latest ? `its versions are 1 to ${latest.version}` : "this is its first version"),
          );
        }
        // What it waits for is stored now, from the compiler, so that signals are checked
        // against it without parsing documents again (version-store.ts workflowWaits).
        await insertVersion(tx, { name, version, hash, documentText, source, code, createdAt: Date.now(), compatibleWith: compatibleWith ?? null, deployedBy: deployedBy ?? null, waits });
        return { name, version, hash, created: true };
      });
    } catch (error) {
      if (error instanceof DeployError || !isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // PostgreSQL unique_violation; SQLite SQLITE_CONSTRAINT_PRIMARYKEY / _UNIQUE.
  return code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
