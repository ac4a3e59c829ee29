// What a workflow waits for from outside (compiler/waits.ts): the compile result carries it, and
// the engine stores it with each version to check signals and decisions against.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.ts";
import { waitsOf } from "../../compiler/waits.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url);
const example = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, EXAMPLES), "utf8"));

describe("waits", () => {
  it("lists the signal nodes' signals once each and the approval nodes' ids, sorted", () => {
    const doc = {
      name: "waits-doc",
      nodes: [
        { id: "start", type: "start" },
        { id: "b-wait", type: "signal", signal: "shipped" },
        { id: "review", type: "approval", title: "Review" },
        { id: "a-wait", type: "signal", signal: "paid", timeout: "1d" },
        { id: "again", type: "signal", signal: "shipped" },
        { id: "audit", type: "approval" },
        { id: "pause", type: "timer", duration: "1h" },
        { id: "end", type: "end" },
        { id: "late", type: "end" },
      ],
      edges: [
        { id: "e1", source: "start", target: "b-wait" },
        { id: "e2", source: "b-wait", target: "review" },
        { id: "e3", source: "review", target: "a-wait", sourceHandle: "approved" },
        { id: "e4", source: "review", target: "end", sourceHandle: "declined" },
        { id: "e5", source: "a-wait", target: "again" },
        { id: "e6", source: "a-wait", target: "late", sourceHandle: "timeout" },
        { id: "e7", source: "again", target: "audit" },
        { id: "e8", source: "audit", target: "pause", sourceHandle: "approved" },
        { id: "e9", source: "audit", target: "end", sourceHandle: "declined" },
        { id: "e10", source: "pause", target: "end" },
      ],
    };
    const compiled = compile(doc);
    expect(compiled.ok).toBe(true);
    const expected = { signals: ["paid", "shipped"], approvals: ["audit", "review"] };
    expect(compiled.ok && compiled.waits).toEqual(expected);
    expect(waitsOf(doc as Parameters<typeof waitsOf>[0])).toEqual(expected);
    // The same whatever the nodes' order (determinism, as for the code).
    expect(waitsOf({ nodes: [...doc.nodes].reverse() } as Parameters<typeof waitsOf>[0])).toEqual(expected);
  });

  it("is empty for a workflow that waits for nothing from outside", () => {
    const compiled = compile(example("order-item"));
    expect(compiled.ok && compiled.waits).toEqual({ signals: [], approvals: [] });
  });

  it("names an example's approval node", () => {
    const doc = example("money-transfer");
    const compiled = compile(doc);
    const approvals = doc.nodes.filter((n: { type: string }) => n.type === "approval").map((n: { id: string }) => n.id).sort();
    expect(approvals.length).toBeGreaterThan(0);
    expect(compiled.ok && compiled.waits).toEqual({ signals: [], approvals });
  });
});
