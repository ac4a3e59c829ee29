// An approval's rules (`quorum`: distinct approvers needed; `notStarter`: the run's starter may
// not decide): checked by the schema, passed to ctx.approval by the native module, and carried
// out by the Temporal module's own decision handler. The code of a fixture that uses both is
// kept as golden files beside the examples'; an approval without them prints as before.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/compiler/approval-rules.test.ts

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, TARGETS } from "../../compiler/compile.ts";
import { typecheck } from "./typecheck-helper.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fixture = JSON.parse(readFileSync(path.join(root, "test/fixtures/two-approvers.json"), "utf8"));
const golden = (target: string) => path.join(root, "test/golden", `two-approvers.${target}.ts`);

function withReview(fields: Record<string, unknown>): unknown {
  const doc = structuredClone(fixture);
  Object.assign(doc.nodes.find((n: { id: string }) => n.id === "review"), fields);
  return doc;
}

function reported(doc: unknown): string[] {
  const result = compile(doc);
  return result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.id} ${d.field ?? ""}: ${d.message}`);
}

describe("approval rules: quorum and notStarter", () => {
  for (const target of TARGETS) {
    it(`compile for ${target} to their golden file`, () => {
      const result = compile(fixture, { target });
      if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.id}: ${d.message}`).join("\n"));
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden(target), result.code);
      expect(existsSync(golden(target))).toBe(true);
      expect(result.code).toBe(readFileSync(golden(target), "utf8"));
    });
  }

  it("reach the native context and the Temporal handler", () => {
    const weft = compile(fixture);
    const temporal = compile(fixture, { target: "temporal" });
    if (!weft.ok || !temporal.ok) throw new Error("does not compile");
    expect(weft.code).toMatch(/quorum: 2,\s+notStarter: true,/);
    expect(temporal.code).toContain('review: { quorum: 2, notStarter: true }');
    expect(temporal.code).toContain("wf.workflowInfo().memo?.startedBy");
  });

  it("type-check under strict on both targets", () => {
    expect(typecheck({ "two.weft.ts": readFileSync(golden("weft"), "utf8"), "two.temporal.ts": readFileSync(golden("temporal"), "utf8") })).toEqual([]);
  });

  it("leave an approval without them as it was: its code does not mention them", () => {
    const plain = compile(withReview({ quorum: 1, notStarter: false }), { target: "temporal" });
    if (!plain.ok) throw new Error("does not compile");
    expect(plain.code).not.toMatch(/quorum|notStarter|startedBy/);
    const hashes = [compile(withReview({ quorum: 3 })), compile(withReview({ quorum: 2 }))].map((r) => (r.ok ? r.hash : ""));
    expect(hashes[0]).not.toBe(hashes[1]);
  });

  it.each([
    [{ quorum: 0 }, "quorum: must be >= 1"],
    [{ quorum: 1.5 }, "quorum: must be of type integer"],
    [{ quorum: "2" }, "quorum: must be of type integer"],
    [{ quorum: 101 }, "quorum: must be <= 100"],
    [{ notStarter: "yes" }, "notStarter: must be of type boolean"],
  ])("refuse %j, naming the node and the field", (fields, message) => {
    expect(reported(withReview(fields)).join("\n")).toContain(`review ${message}`);
  });
});
