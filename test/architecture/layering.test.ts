// The layout shows the architecture, and this test holds it: data flows one way (document →
// compiler → module → engine → history → app).
// - compiler/ runs in the browser too (the designer compiles on every edit): no Node built-in,
//   nothing from engine/ or app/, only browser-safe packages.
// - engine/runtime/ is the replayed, deterministic core: no Node built-in, no database, and
//   nothing of the engine outside it but the pure compiler modules it shares.
// - engine/ never imports app/.

import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Rule {
  dir: string;
  /** Folders (relative to the root) its relative imports may reach. */
  mayImport: string[];
  /** Packages it may import; undefined = any. */
  packages?: string[];
  builtins: boolean;
}

const RULES: Rule[] = [
  { dir: "compiler", mayImport: ["compiler"], packages: ["typescript", "ajv", "@noble/hashes"], builtins: false },
  { dir: "engine/runtime", mayImport: ["engine/runtime", "compiler/durations.ts"], packages: [], builtins: false },
  { dir: "engine", mayImport: ["engine", "compiler", "prisma/generated"], builtins: true },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.(ts|tsx|mts)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

/** Why an import of `specifier` from `file` breaks `rule`, or undefined if it does not. */
export function offence(rule: Rule, file: string, specifier: string): string | undefined {
  const bare = specifier.replace(/^node:/, "");
  if (specifier.startsWith("node:") || builtinModules.includes(bare.split("/")[0])) {
    return rule.builtins ? undefined : "a Node built-in";
  }
  if (specifier.startsWith(".")) {
    const target = path.relative(root, path.resolve(path.dirname(file), specifier));
    const allowed = rule.mayImport.some((m) => target === m || target.startsWith(`${m}/`));
    return allowed ? undefined : `outside ${rule.mayImport.join(", ")} (${target})`;
  }
  if (!rule.packages) return undefined;
  const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
  return rule.packages.includes(pkg) ? undefined : `the package "${pkg}", which ${rule.dir}/ may not use`;
}

function offences(rule: Rule): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(root, rule.dir))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      const why = offence(rule, file, fileName);
      if (why) found.push(`${path.relative(root, file)} imports "${fileName}": ${why}`);
    }
  }
  return found;
}

describe("imports across layers", () => {
  for (const rule of RULES) {
    it(`${rule.dir}/ imports only what its layer may`, () => {
      expect(sourceFiles(path.join(root, rule.dir)).length).toBeGreaterThan(2);
      expect(offences(rule)).toEqual([]);
    });
  }

  it("names an offender", () => {
    const [compiler, runtime, engine] = RULES;
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
  });
});
