// Same document in, byte-identical module out. The order of nodes and edges in the arrays, the
// positions, the labels' whitespace, the order of object keys and the edges' ids are how a
// drawing happens to be stored, not what it means: none of them may change the generated code
// or the document's hash. What the document means (an activity, a condition) changes the hash;
// a label's text does not (it may only change the comments).

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it, expect } from "vitest";
import { compile, TARGETS, type CompileResult, type Target } from "../../compiler/compile.ts";
import { SHAPES } from "./shapes.ts";

const EXAMPLES = new URL("../../examples", import.meta.url).pathname;
const examples: [string, any][] = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [path.basename(f, ".json"), JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), "utf8"))]);

const SEEDS = [1, 2, 3, 42, 1234, 98765];

/** mulberry32: a small seeded PRNG, so that a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The same value with every object's keys in a shuffled order (array order is kept: it means something). */
function reorderKeys(value: any, random: () => number): any {
  if (Array.isArray(value)) return value.map((v) => reorderKeys(v, random));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(shuffle(Object.keys(value), random).map((k) => [k, reorderKeys(value[k], random)]));
}

/** Whitespace a person might type around and inside a label: "Initiate   order\n". */
function messLabel(label: string, random: () => number): string {
  const gaps = ["  ", "   ", "\t", " \n "];
  const inner = label.split(" ").join(gaps[Math.floor(random() * gaps.length)]);
  return `${random() < 0.5 ? " " : ""}${inner}${random() < 0.5 ? "\n" : "  "}`;
}

/** The document as it might be stored after a different editing session: same meaning. */
function restored(doc: any, seed: number): any {
  const random = prng(seed);
  const rename = new Map(shuffle(doc.edges as any[], random).map((e, i) => [e.id, `edge-${seed}-${i}`]));
  const nodes = doc.nodes.map((n: any) => {
    const copy = { ...n, position: { x: Math.round(random() * 2000 - 1000), y: Math.round(random() * 2000) } };
    if (typeof n.label === "string") copy.label = messLabel(n.label, random);
    return copy;
  });
  const edges = doc.edges.map((e: any) => ({ ...e, id: rename.get(e.id) }));
  return reorderKeys({ ...doc, nodes: shuffle(nodes, random), edges: shuffle(edges, random) }, random);
}

function compiled(doc: unknown, target: Target): Extract<CompileResult, { ok: true }> {
  const result = compile(doc, { target });
  if (!result.ok) throw new Error(`does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result;
}

function withoutComments(code: string): string {
  return code
    .split("\n")
    .filter((line) => !/^\s*\/\//.test(line))
    .join("\n");
}

/** A copy of `doc` changed by `change`. */
function changed(doc: any, change: (d: any) => void): any {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
}

function firstOf(doc: any, type: string): any {
  return [...doc.nodes].sort((a: any, b: any) => (a.id < b.id ? -1 : 1)).find((n: any) => n.type === type);
}

describe("the test's own shuffling", () => {
  it("really reorders nodes, edges and keys, and renames edges", () => {
    const [, doc] = examples.find(([name]) => name === "order-item")!;
    const a = restored(doc, 1);
    const b = restored(doc, 2);
    expect(a.nodes.map((n: any) => n.id)).not.toEqual(doc.nodes.map((n: any) => n.id));
    expect(a.nodes.map((n: any) => n.id)).not.toEqual(b.nodes.map((n: any) => n.id));
    expect(a.edges.every((e: any) => e.id.startsWith("edge-1-"))).toBe(true);
    expect(a.nodes.find((n: any) => n.id === "init").label).not.toBe("Initiate order");
    const keyOrders = SEEDS.map((s) => Object.keys(restored(doc, s).nodes.find((n: any) => n.id === "init").input).join());
    expect(new Set(keyOrders).size).toBeGreaterThan(1);
  });
});

describe.each(examples)("%s", (_name, doc) => {
  describe.each(TARGETS.map((t) => [t]))("target %s", (target) => {
    const original = compiled(doc, target);

    it("compiles twice to the same bytes", () => {
      expect(compiled(structuredClone(doc), target).code).toBe(original.code);
    });

    it.each(SEEDS)("gives the same bytes and hash when stored differently (seed %i)", (seed) => {
      const result = compiled(restored(doc, seed), target);
      expect(result.code).toBe(original.code);
      expect(result.hash).toBe(original.hash);
    });

    it("embeds the hash in the module", () => {
      expect(original.code).toContain(JSON.stringify(original.hash));
      expect(original.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it("changes the hash, and the code, when an activity changes", () => {
      const result = compiled(changed(doc, (d) => (firstOf(d, "step").activity = "something.else")), target);
      expect(result.hash).not.toBe(original.hash);
      expect(result.code).not.toBe(original.code);
      expect(result.code).toContain('"something.else"');
    });

    it("changes the hash when a step's input changes", () => {
      const result = compiled(changed(doc, (d) => (firstOf(d, "step").input = { changed: true })), target);
      expect(result.hash).not.toBe(original.hash);
    });

    it("changes the hash when a step's timeout changes", () => {
      const result = compiled(changed(doc, (d) => (firstOf(d, "step").timeout = "42s")), target);
      expect(result.hash).not.toBe(original.hash);
    });

    it("changes the hash, and the code, when an edge is added", () => {
      const withErrorEdge = changed(doc, (d) => {
        const step = firstOf(d, "step");
        d.nodes.push({ id: "oops", type: "end", status: "failed", error: "it failed" });
        d.edges.push({ id: "extra", source: step.id, target: "oops", sourceHandle: "error" });
      });
      const result = compiled(withErrorEdge, target);
      expect(result.hash).not.toBe(original.hash);
      expect(result.code).not.toBe(original.code);
    });

    if (doc.nodes.some((n: any) => n.type === "branch")) {
      it("changes the hash, and the code, when a condition changes", () => {
        const result = compiled(changed(doc, (d) => (firstOf(d, "branch").conditions[0].when = "=input.flag === true")), target);
        expect(result.hash).not.toBe(original.hash);
        expect(result.code).not.toBe(original.code);
        expect(result.code).toContain("input.flag === true");
      });
    }

    it("keeps the hash when a label's text changes (only comments may change)", () => {
      const relabelled = changed(doc, (d) => {
        for (const n of d.nodes) n.label = `Renamed ${n.id}`;
      });
      const result = compiled(relabelled, target);
      expect(result.hash).toBe(original.hash);
      expect(withoutComments(result.code)).toBe(withoutComments(original.code));
    });

    it("keeps the hash when the title changes", () => {
      const result = compiled(changed(doc, (d) => (d.title = "Another title")), target);
      expect(result.hash).toBe(original.hash);
      expect(withoutComments(result.code)).toBe(withoutComments(original.code));
    });
  });

  it("gives both targets the same hash", () => {
    expect(compiled(doc, "weft").hash).toBe(compiled(doc, "temporal").hash);
  });
});

it("gives each example a hash of its own", () => {
  const hashes = examples.map(([, d]) => compiled(d, "weft").hash);
  expect(new Set(hashes).size).toBe(examples.length);
});

// The hand-made shapes exercise what the examples do not: route variables, the state machine.
describe.each(Object.entries(SHAPES))("shape: %s", (_name, doc) => {
  it.each(TARGETS.map((t) => [t]))("gives the same bytes and hash however it is stored (target %s)", (target) => {
    const original = compiled(doc, target);
    for (const seed of SEEDS) {
      const result = compiled(restored(doc, seed), target);
      expect(result.code).toBe(original.code);
      expect(result.hash).toBe(original.hash);
    }
  });
});
