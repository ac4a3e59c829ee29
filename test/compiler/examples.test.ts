// The four example documents compile for both targets to exactly the code committed in
// test/golden/, so that a review of a compiler change shows the code it emits.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/compiler/examples.test.ts

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, TARGETS } from "../../compiler/compile.ts";

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
});
