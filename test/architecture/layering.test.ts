// The layout shows the architecture, and this test holds it: data flows one way (document →
// compiler → module → engine → history → app).
// - compiler/ runs in the browser too (the designer compiles on every edit): no Node built-in,
//   nothing from engine/ or app/, only browser-safe packages.
// - engine/runtime/ is the replayed, deterministic core: no Node built-in, no database, and
//   nothing of the engine outside it but the pure compiler modules it shares.
// - engine/ never imports app/.
// - app/ reaches the engine through the facade alone: it may import from engine/ only
//   facade.ts, views.ts and permissions.ts, and only their types (`import type`), so that the
//   bundler never pulls in the engine's runtime (drivers, sandbox, Prisma). No database package
//   and no SQL in app/ either.
// - engine/views.ts is the view types browser code imports: types only, nothing at run time.
// - designer/ (graph editing as plain TypeScript, when it exists) is pure: compiler/ only, with ELK
//   for layout and zustand/zundo for the document store with undo (no React there).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Rule {
  dir: string;
  /** Folders or files (relative to the root) its relative imports may reach. */
  mayImport: string[];
  /** Packages it may import; undefined = any (but those denied). */
  packages?: string[];
  /** Packages it may never import (a scope like "@prisma" denies all of it). */
  deniedPackages?: string[];
  builtins: boolean;
  /** Folders or files (relative to the root) it may import types from only (`import type`). */
  typeOnly?: string[];
  /** No SQL statements in its text. */
  noSql?: boolean;
  /** The folder may not exist yet; then there is nothing to check. */
  optional?: boolean;
}

const DATABASE_PACKAGES = ["@prisma", "prisma", "pg", "better-sqlite3"];

const RULES: Rule[] = [
  { dir: "compiler", mayImport: ["compiler"], packages: ["typescript", "ajv", "@noble/hashes"], builtins: false },
  { dir: "engine/runtime", mayImport: ["engine/runtime", "compiler/durations.ts"], packages: [], builtins: false },
  // `weft dev` builds the app when its build is stale, with the script npm's build uses too.
  { dir: "engine", mayImport: ["engine", "compiler", "prisma/generated", "scripts/app-build.mjs"], builtins: true },
  {
    dir: "app",
    mayImport: ["app", "compiler", "designer", "engine/facade.ts", "engine/views.ts", "engine/permissions.ts"],
    typeOnly: ["engine"],
    deniedPackages: DATABASE_PACKAGES,
    builtins: true,
    noSql: true,
  },
  // ELK lays drawings out; it is plain JavaScript that runs in the browser and in Node alike.
  { dir: "designer", mayImport: ["designer", "compiler"], packages: ["elkjs", "zustand", "zundo"], builtins: false, optional: true },
];

const within = (target: string, place: string) => target === place || target.startsWith(`${place}/`);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.(ts|tsx|mts)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

/**
 * Every module a file imports, and whether the import is erased at run time: `import type`,
 * `export type … from`, and `import("…")` in a type. `import { type X }` is not: it leaves
 * `import {} from "…"` behind, which loads the module.
 */
export function importsOf(file: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly === true });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) {
        found.push({ specifier: node.arguments[0].text, typeOnly: false });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(parse(file, text));
  return found;
}

/** Why an import of `specifier` from `file` breaks `rule`, or undefined if it does not. */
export function offence(rule: Rule, file: string, specifier: string, typeOnly = false): string | undefined {
  const bare = specifier.replace(/^node:/, "");
  if (specifier.startsWith("node:") || builtinModules.includes(bare.split("/")[0])) {
    return rule.builtins ? undefined : "a Node built-in";
  }
  if (specifier.startsWith(".")) {
    const target = path.relative(root, path.resolve(path.dirname(file), specifier));
    const allowed = rule.mayImport.some((m) => within(target, m));
    if (!allowed) return `outside ${rule.mayImport.join(", ")} (${target})`;
    const typesOnly = rule.typeOnly?.find((t) => within(target, t));
    if (typesOnly && !typeOnly) return `a runtime import of ${target}: ${rule.dir}/ may import only types from ${typesOnly}/ (\`import type\`)`;
    return undefined;
  }
  const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
  const denied = rule.deniedPackages?.some((d) => pkg === d || (d.startsWith("@") && !d.includes("/") && pkg.startsWith(`${d}/`)));
  if (denied) return `the package "${pkg}", which ${rule.dir}/ may not use`;
  if (!rule.packages) return undefined;
  return rule.packages.includes(pkg) ? undefined : `the package "${pkg}", which ${rule.dir}/ may not use`;
}

/** SQL statements in a file's text (uppercase keywords, as the engine writes them). */
export function sqlIn(text: string): string[] {
  return [...text.matchAll(/\b(?:SELECT\s+(?:[\w*]+\s*,|\*|DISTINCT|COUNT\()|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX)|ALTER\s+TABLE)/g)].map((m) => m[0]);
}

/**
 * Why a module's top-level statement is not types-only, for each one that is not: interfaces,
 * type aliases, `import type` and `export type` are; anything that exists at run time is not.
 */
export function runtimeStatements(file: string, text: string): string[] {
  const source = parse(file, text);
  const found: string[] = [];
  for (const statement of source.statements) {
    const typesOnly =
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true) ||
      (ts.isExportDeclaration(statement) && statement.isTypeOnly);
    if (!typesOnly) {
      const line = source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1;
      found.push(`line ${line}: ${statement.getText(source).split("\n")[0].slice(0, 80)}`);
    }
  }
  return found;
}

function offences(rule: Rule): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(root, rule.dir))) {
    const text = readFileSync(file, "utf8");
    for (const { specifier, typeOnly } of importsOf(file, text)) {
      const why = offence(rule, file, specifier, typeOnly);
      if (why) found.push(`${path.relative(root, file)} imports "${specifier}": ${why}`);
    }
    if (rule.noSql) for (const sql of sqlIn(text)) found.push(`${path.relative(root, file)} holds SQL ("${sql}"): ${rule.dir}/ goes through the facade`);
  }
  return found;
}

describe("imports across layers", () => {
  // Only the layers that exist: an optional one (designer/) is checked from its first file on.
  for (const rule of RULES.filter((r) => !r.optional || existsSync(path.join(root, r.dir)))) {
    it(`${rule.dir}/ imports only what its layer may`, () => {
      if (!rule.optional) expect(sourceFiles(path.join(root, rule.dir)).length).toBeGreaterThan(2);
      expect(offences(rule)).toEqual([]);
    });
  }

  it("engine/views.ts holds types only", () => {
    const file = path.join(root, "engine/views.ts");
    const text = readFileSync(file, "utf8");
    expect(runtimeStatements(file, text)).toEqual([]);
    expect(importsOf(file, text).filter((i) => !i.typeOnly)).toEqual([]);
  });

  it("names an offender", () => {
    const [compiler, runtime, engine, app, designer] = RULES;
    const inCompiler = path.join(root, "compiler/x.ts");
    expect(offence(compiler, inCompiler, "node:fs")).toBe("a Node built-in");
    expect(offence(compiler, inCompiler, "crypto")).toBe("a Node built-in");
    expect(offence(compiler, inCompiler, "../engine/runtime/workflow-api.ts")).toMatch(/outside compiler/);
    expect(offence(compiler, inCompiler, "../app/page.tsx")).toMatch(/outside compiler/);
    expect(offence(compiler, inCompiler, "./codegen/weft.ts")).toBeUndefined();
    expect(offence(compiler, inCompiler, "@prisma/client")).toMatch(/may not use/);
    const inRuntime = path.join(root, "engine/runtime/x.ts");
    expect(offence(runtime, inRuntime, "node:vm")).toBe("a Node built-in");
    expect(offence(runtime, inRuntime, "../storage/database.ts")).toMatch(/outside engine\/runtime/);
    expect(offence(runtime, inRuntime, "@prisma/client")).toMatch(/may not use/);
    expect(offence(runtime, inRuntime, "../../compiler/durations.ts")).toBeUndefined();
    expect(offence(engine, path.join(root, "engine/x.ts"), "../app/page.tsx")).toMatch(/outside engine/);

    // app/: the facade's types, never the engine's runtime, storage or database packages.
    const inApp = path.join(root, "app/api/runs/route.ts");
    expect(offence(app, inApp, "../../../engine/facade.ts", true)).toBeUndefined();
    expect(offence(app, inApp, "../../../engine/views.ts", true)).toBeUndefined();
    expect(offence(app, inApp, "../../../engine/permissions.ts", true)).toBeUndefined();
    expect(offence(app, inApp, "../../../engine/facade.ts", false)).toMatch(/runtime import of engine\/facade\.ts: app\/ may import only types from engine\//);
    expect(offence(app, inApp, "../../../engine/engine.ts", true)).toMatch(/outside app, compiler/);
    expect(offence(app, inApp, "../../../engine/storage/database.ts", true)).toMatch(/outside/);
    expect(offence(app, inApp, "../../../engine/run-store.ts")).toMatch(/outside/);
    expect(offence(app, inApp, "../../../prisma/generated/sqlite/client.ts")).toMatch(/outside/);
    expect(offence(app, inApp, "@prisma/client")).toMatch(/may not use/);
    expect(offence(app, inApp, "@prisma/adapter-pg")).toMatch(/may not use/);
    expect(offence(app, inApp, "pg")).toMatch(/may not use/);
    expect(offence(app, inApp, "better-sqlite3")).toMatch(/may not use/);
    expect(offence(app, inApp, "next/server")).toBeUndefined();
    expect(offence(app, inApp, "zod")).toBeUndefined();
    expect(offence(app, inApp, "../../lib/weft.ts")).toBeUndefined();
    expect(offence(app, inApp, "../../../compiler/compile.ts")).toBeUndefined();
    expect(offence(app, inApp, "../../../designer/edits.ts")).toBeUndefined();

    // Which imports are erased: only `import type` and its kin.
    const imports = importsOf(
      inApp,
      [
        'import type { Weft } from "../../../engine/facade.ts";',
        'import { type Caller } from "../../../engine/permissions.ts";',
        'import "../../../engine/engine.ts";',
        'export type { RunSummary } from "../../../engine/views.ts";',
        'export { eventJson } from "../../../engine/history-json.ts";',
        'type E = typeof import("../../../engine/engine.ts");',
        'const later = () => import("../../../engine/engine.ts");',
      ].join("\n"),
    );
    expect(imports).toEqual([
      { specifier: "../../../engine/facade.ts", typeOnly: true },
      { specifier: "../../../engine/permissions.ts", typeOnly: false },
      { specifier: "../../../engine/engine.ts", typeOnly: false },
      { specifier: "../../../engine/views.ts", typeOnly: true },
      { specifier: "../../../engine/history-json.ts", typeOnly: false },
      { specifier: "../../../engine/engine.ts", typeOnly: true },
      { specifier: "../../../engine/engine.ts", typeOnly: false },
    ]);
    expect(sqlIn('const rows = await db.query("SELECT name, version FROM workflow_version");')).toEqual(["SELECT name,"]);
    expect(sqlIn("db.execute(`DELETE FROM draft WHERE name = ?`); db.execute('UPDATE run SET status = ?')")).toEqual(["DELETE FROM", "UPDATE run SET"]);
    expect(sqlIn("<p>Select a node, then update its label.</p>")).toEqual([]);

    // engine/views.ts: types only.
    const views = path.join(root, "engine/views.ts");
    expect(runtimeStatements(views, 'import type { X } from "./x.ts";\nexport interface A { a: X }\nexport type B = A;\nexport type { C } from "./c.ts";')).toEqual([]);
    expect(runtimeStatements(views, 'import { X } from "./x.ts";\nexport const RUN_STATUSES = ["running"];\nexport function f() {}')).toEqual([
      'line 1: import { X } from "./x.ts";',
      'line 2: export const RUN_STATUSES = ["running"];',
      "line 3: export function f() {}",
    ]);

    // designer/: pure, the compiler only.
    const inDesigner = path.join(root, "designer/edits.ts");
    expect(offence(designer, inDesigner, "../compiler/document.ts")).toBeUndefined();
    expect(offence(designer, inDesigner, "../engine/views.ts")).toMatch(/outside designer, compiler/);
    expect(offence(designer, inDesigner, "node:fs")).toBe("a Node built-in");
    expect(offence(designer, inDesigner, "react")).toMatch(/may not use/);
  });
});
