// The compiler runs in the browser too (the designer compiles on every edit), and data flows
// one way (document → compiler → module → engine → app): nothing under compiler/ may import a
// Node built-in, engine/ or app/.

import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const compilerDir = path.join(root, "compiler");
const ALLOWED_PACKAGES = ["typescript", "ajv", "@noble/hashes"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.(ts|tsx|mts)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

/** Why an import from a file under compiler/ is not allowed, or undefined if it is. */
export function offence(file: string, specifier: string): string | undefined {
  const bare = specifier.replace(/^node:/, "");
  if (specifier.startsWith("node:") || builtinModules.includes(bare.split("/")[0])) return "a Node built-in";
  if (specifier.startsWith(".")) {
    const target = path.resolve(path.dirname(file), specifier);
    if (!target.startsWith(compilerDir + path.sep)) return `outside compiler/ (${path.relative(root, target)})`;
    return undefined;
  }
  const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
  return ALLOWED_PACKAGES.includes(pkg) ? undefined : `the package "${pkg}", which is not on the compiler's list`;
}

describe("compiler/ imports", () => {
  const files = sourceFiles(compilerDir);

  it("finds the compiler's sources", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("imports no Node built-in, nothing from engine/ or app/, and only browser-safe packages", () => {
    const offences: string[] = [];
    for (const file of files) {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      for (const { fileName } of importedFiles) {
        const why = offence(file, fileName);
        if (why) offences.push(`${path.relative(root, file)} imports "${fileName}": ${why}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it("names an offender", () => {
    const file = path.join(compilerDir, "x.ts");
    expect(offence(file, "node:fs")).toBe("a Node built-in");
    expect(offence(file, "crypto")).toBe("a Node built-in");
    expect(offence(file, "../engine/runtime/workflow-api.ts")).toMatch(/outside compiler/);
    expect(offence(file, "../app/page.tsx")).toMatch(/outside compiler/);
    expect(offence(file, "./codegen/weft.ts")).toBeUndefined();
    expect(offence(file, "@prisma/client")).toMatch(/not on the compiler's list/);
  });
});
