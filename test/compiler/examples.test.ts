// The four example documents compile for both targets to exactly the code committed in
// test/golden/, so that a review of a compiler change shows the code it emits.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/compiler/examples.test.ts

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, TARGETS } from "../../compiler/compile.ts";
import { typecheck } from "./typecheck-helper.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const examplesDir = path.resolve(root, "../shared/examples");
export const goldenDir = path.join(root, "test/golden");
export const exampleNames = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -".json".length))
  .sort();

export function goldenPath(name: string, target: string): string {
  return path.join(goldenDir, `${name}.${target}.ts`);
}

describe("the examples", () => {
  it("are all four there", () => {
    expect(exampleNames).toEqual(["money-transfer", "monthly-statements", "order-item", "user-onboarding"]);
  });

  it("ship in examples/ exactly as ../shared/examples/ has them (weft dev deploys that copy)", () => {
    for (const name of exampleNames) {
      expect(readFileSync(path.join(root, "examples", `${name}.json`), "utf8"), name).toBe(readFileSync(path.join(examplesDir, `${name}.json`), "utf8"));
    }
  });

  for (const name of exampleNames) {
    for (const target of TARGETS) {
      it(`${name} compiles for ${target} to its golden file`, () => {
        const doc = JSON.parse(readFileSync(path.join(examplesDir, `${name}.json`), "utf8"));
        const result = compile(doc, { target });
        if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.id}: ${d.message}`).join("\n"));
        expect(result.structured).toBe(true);
        const golden = goldenPath(name, target);
        if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, result.code);
        expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
        expect(result.code).toBe(readFileSync(golden, "utf8"));
      });
    }
  }

  it("type-check under strict: weft modules against the engine's context, temporal ones against @temporalio/workflow", () => {
    const files: Record<string, string> = {};
    for (const name of exampleNames) {
      for (const target of TARGETS) files[`${name}.${target}.ts`] = readFileSync(goldenPath(name, target), "utf8");
    }
    expect(Object.keys(files)).toHaveLength(8);
    expect(typecheck(files)).toEqual([]);
  });

  it("would notice a module that does not type-check", () => {
    const broken = readFileSync(goldenPath("order-item", "weft"), "utf8").replace("ctx.complete(", "ctx.finish(");
    expect(typecheck({ "broken.ts": broken }).join("\n")).toMatch(/finish/);
  });
});
