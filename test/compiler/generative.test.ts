// Thousands of random documents, valid and broken (test/compiler/random-documents.ts), through
// the compiler for both targets. Whatever it is given, `compile` answers and never throws: a
// module (non-empty code) for both targets, or errors that each name an id of the document.
// Documents valid by construction must compile, mutations that certainly break a document must
// be reported at the node or edge they broke, and a sample of the modules type-checks under
// `strict`. Set WEFT_GEN_SEED / WEFT_GEN_COUNT to explore other seeds.

import { beforeAll, describe, expect, it } from "vitest";
import { compile, TARGETS, type CompileResult, type Target } from "../../compiler/compile.ts";
import type { Graph, Out } from "../../compiler/graph.ts";
import { structure, type Stmt, type Structure } from "../../compiler/structure.ts";
import { validate } from "../../compiler/validate.ts";
import { createRng, randomDocument, type GeneratedDocument } from "./random-documents.ts";
import { typecheck } from "./typecheck-helper.ts";

const FIRST_SEED = Number(process.env.WEFT_GEN_SEED ?? 1);
const COUNT = Number(process.env.WEFT_GEN_COUNT ?? 3000);
const SAMPLE = 40;

interface Case {
  generated: GeneratedDocument;
  results: Partial<Record<Target, CompileResult>>;
  crashes: { target: Target; error: string }[];
  /** The document changed while it was compiled. */
  mutated: boolean;
}

const cases: Case[] = [];

beforeAll(() => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + COUNT; seed++) {
    const generated = randomDocument(seed);
    const before = JSON.stringify(generated.raw);
    const c: Case = { generated, results: {}, crashes: [], mutated: false };
    for (const target of TARGETS) {
      try {
        c.results[target] = compile(generated.raw, { target });
      } catch (err) {
        c.crashes.push({ target, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    }
    c.mutated = JSON.stringify(generated.raw) !== before;
    cases.push(c);
  }
  const valid = cases.filter((c) => c.results.weft?.ok).length;
  console.log(`generative: ${cases.length} documents (seeds ${FIRST_SEED}..${FIRST_SEED + COUNT - 1}): ${valid} compile, ${cases.length - valid} rejected`);
}, 120_000);

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hasId(item: unknown): item is { id: string } {
  return isObject(item) && typeof item.id === "string" && item.id !== "";
}

/** The ids a diagnostic may name: node and edge ids, the name, or a path for what has neither. */
function nameableIds(raw: unknown): Set<string> {
  const ids = new Set<string>();
  const name = isObject(raw) && typeof raw.name === "string" && raw.name !== "" ? raw.name : "document";
  ids.add(name);
  if (!isObject(raw)) return ids;
  for (const key of ["nodes", "edges"] as const) {
    if (!Array.isArray(raw[key])) continue;
    (raw[key] as unknown[]).forEach((item, i) => ids.add(hasId(item) ? item.id : `${key}[${i}]`));
  }
  return ids;
}

function describeCase(c: Case): string {
  return `seed ${c.generated.seed} (mutations: ${c.generated.mutations.map((m) => m.name).join(", ") || "none"})`;
}

/** At most a few failures, spelled out, so that an assertion's message says what went wrong. */
function report(failures: string[]): string {
  return failures.length === 0 ? "" : `${failures.length} failures, e.g.:\n${failures.slice(0, 5).join("\n\n")}`;
}

describe("generative: random documents", () => {
  it("never make compile throw, for either target", () => {
    const failures = cases.flatMap((c) => c.crashes.map((x) => `${describeCase(c)} [${x.target}]: ${x.error}`));
    expect(report(failures)).toBe("");
  });

  it("are never changed by compile", () => {
    expect(report(cases.filter((c) => c.mutated).map(describeCase))).toBe("");
  });

  it("either compile to non-empty code for both targets or yield errors that each name an id", () => {
    const failures: string[] = [];
    for (const c of cases) {
      const { weft, temporal } = c.results;
      if (!weft || !temporal) continue; // reported as a crash
      if (weft.ok !== temporal.ok) {
        failures.push(`${describeCase(c)}: the weft target says ok=${weft.ok}, the temporal target ok=${temporal.ok}`);
        continue;
      }
      if (weft.ok && temporal.ok) {
        for (const r of [weft, temporal]) {
          if (typeof r.code !== "string" || r.code.trim() === "") failures.push(`${describeCase(c)}: empty code`);
          if (!/^sha256:[0-9a-f]{64}$/.test(r.hash)) failures.push(`${describeCase(c)}: hash ${JSON.stringify(r.hash)}`);
        }
        if (weft.hash !== temporal.hash) failures.push(`${describeCase(c)}: the targets embed different hashes`);
        continue;
      }
      if (weft.ok || temporal.ok) continue;
      if (weft.diagnostics.length === 0) failures.push(`${describeCase(c)}: rejected without a diagnostic`);
      const ids = nameableIds(c.generated.raw);
      for (const d of weft.diagnostics) {
        const problems: string[] = [];
        if (typeof d.id !== "string" || d.id === "") problems.push("no id");
        else if (!ids.has(d.id)) problems.push(`id ${JSON.stringify(d.id)} is no node, edge, name or path of the document`);
        if (typeof d.message !== "string" || d.message.trim() === "") problems.push("no message");
        if (typeof d.code !== "string" || !d.code) problems.push("no code");
        if (d.field !== undefined && (typeof d.field !== "string" || d.field === "")) problems.push(`field ${JSON.stringify(d.field)}`);
        if (problems.length > 0) failures.push(`${describeCase(c)}: ${problems.join("; ")}: ${JSON.stringify(d)}`);
      }
      if (JSON.stringify(weft.diagnostics) !== JSON.stringify(temporal.diagnostics)) {
        failures.push(`${describeCase(c)}: the targets report different diagnostics`);
      }
    }
    expect(report(failures)).toBe("");
  });

  it("compile when valid by construction, and are rejected at the id a breaking mutation names", () => {
    const failures: string[] = [];
    for (const c of cases) {
      const r = c.results.weft;
      if (!r) continue;
      const { mutations } = c.generated;
      if (mutations.length === 0 && !r.ok) {
        failures.push(`${describeCase(c)}: valid by construction, but:\n${r.diagnostics.slice(0, 5).map((d) => `  ${d.id} ${d.field ?? ""} ${d.message}`).join("\n")}`);
      }
      // With one mutation, nothing else can undo it or hide the id it concerns (a second one may
      // delete the edge the first broke).
      const [only] = mutations;
      if (mutations.length === 1 && only.breaks && r.ok) failures.push(`${describeCase(c)}: broken, but compiled`);
      if (mutations.length === 1 && only.expectIds && !r.ok && !r.diagnostics.some((d) => only.expectIds!.includes(d.id))) {
        failures.push(`${describeCase(c)}: expected a diagnostic naming ${only.expectIds.join(" or ")}, got ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
      }
    }
    expect(report(failures)).toBe("");
  });

  it("are a substantial mix of valid and invalid documents", () => {
    const valid = cases.filter((c) => c.results.weft?.ok === true).length;
    const invalid = cases.filter((c) => c.results.weft?.ok === false).length;
    expect(valid + invalid).toBe(COUNT);
    expect(valid / COUNT).toBeGreaterThanOrEqual(0.2);
    expect(invalid / COUNT).toBeGreaterThanOrEqual(0.2);
    // Every shape of graph shows up: state machines (irreducible loops) as well as structured code.
    const machines = cases.filter((c) => c.results.weft?.ok && !c.results.weft.structured).length;
    expect(machines).toBeGreaterThan(0);
    expect(valid - machines).toBeGreaterThan(0);
  });

  it("are structured into code that takes the drawing's paths", () => {
    // Walk the drawing and the statement tree the code is printed from side by side, making
    // the same random choice at every fork: both must visit the same nodes in the same order.
    const failures: string[] = [];
    let structured = 0;
    for (const c of cases.filter((x) => x.results.weft?.ok).slice(0, 600)) {
      const checked = validate(c.generated.raw);
      if (!checked.ok) continue;
      const { graph } = checked.checked;
      const shape = structure(graph);
      if (shape.kind !== "structured") continue;
      structured++;
      for (let walk = 1; walk <= 10; walk++) {
        const seed = c.generated.seed * 100 + walk;
        const expected = graphWalk(graph, seed);
        const actual = structureWalk(graph, shape, seed);
        if (expected.join(" ") !== actual.join(" ")) {
          failures.push(`${describeCase(c)}, walk ${walk}:\n  drawing: ${expected.join(" ")}\n  code:    ${actual.join(" ")}`);
          break;
        }
      }
    }
    expect(structured).toBeGreaterThan(50);
    expect(report(failures)).toBe("");
  });

  it(`a sample of ${SAMPLE} valid modules type-checks under strict, for both targets, and does not depend on array order`, () => {
    const valid = cases.filter((c) => c.results.weft?.ok && c.results.temporal?.ok);
    // Spread over the run, with the state machines (the least common shape) over-represented.
    const machines = valid.filter((c) => c.results.weft?.ok && !c.results.weft.structured).slice(0, SAMPLE / 4);
    const rest = valid.filter((c) => !machines.includes(c));
    const step = Math.max(1, Math.floor(rest.length / (SAMPLE - machines.length)));
    const sample = [...machines, ...rest.filter((_, i) => i % step === 0)].slice(0, SAMPLE);
    expect(sample.length).toBe(SAMPLE);

    const files: Record<string, string> = {};
    const failures: string[] = [];
    for (const c of sample) {
      for (const target of TARGETS) {
        const r = c.results[target];
        if (!r?.ok) continue;
        files[`seed-${c.generated.seed}.${target}.ts`] = r.code;
        // The same document with its arrays in another order compiles to the same bytes.
        const rng = createRng(c.generated.seed);
        const doc = structuredClone(c.generated.raw) as { nodes: unknown[]; edges: unknown[] };
        rng.shuffle(doc.nodes);
        rng.shuffle(doc.edges);
        const again = compile(doc, { target });
        if (!again.ok || again.code !== r.code) failures.push(`seed ${c.generated.seed} [${target}]: shuffled arrays change the module`);
      }
    }
    expect(report(failures)).toBe("");
    expect(Object.keys(files)).toHaveLength(SAMPLE * 2);
    expect(typecheck(files)).toEqual([]);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Walks for the structure check: at most WALK_LIMIT nodes, since loops may go round for ever.

const WALK_LIMIT = 300;

function chooser(seed: number): (handles: string[]) => string {
  const rng = createRng(seed);
  return (handles) => rng.pick(handles);
}

function isFork(graph: Graph, id: string): boolean {
  const node = graph.nodes.get(id)!;
  return node.type === "branch" || node.type === "approval" || (graph.out.get(id) ?? []).length > 1;
}

function graphWalk(graph: Graph, seed: number): string[] {
  const choose = chooser(seed);
  const trace: string[] = [];
  let id: string | undefined = graph.start!;
  while (id !== undefined && trace.length < WALK_LIMIT) {
    trace.push(id);
    const out: Out[] = graph.out.get(id) ?? [];
    if (out.length === 0) break;
    const handle: string = isFork(graph, id) ? choose(out.map((o) => o.handle)) : out[0].handle;
    id = out.find((o: Out) => o.handle === handle)!.target;
  }
  return trace;
}

class WalkEnded {}
class Continue {
  constructor(readonly header: string) {}
}
class Break {}

function structureWalk(graph: Graph, shape: Extract<Structure, { kind: "structured" }>, seed: number): string[] {
  const choose = chooser(seed);
  const trace: string[] = [];
  const visit = (id: string) => {
    trace.push(id);
    if (trace.length >= WALK_LIMIT) throw new WalkEnded();
  };
  const run = (body: Stmt[]): void => {
    for (const s of body) {
      switch (s.kind) {
        case "node":
          visit(s.id);
          break;
        case "end":
          visit(s.id);
          throw new WalkEnded();
        case "fork": {
          visit(s.id);
          const handle = choose((graph.out.get(s.id) ?? []).map((o) => o.handle));
          const arm = s.arms.find((a) => a.handles.includes(handle));
          if (!arm) throw new Error(`fork ${s.id} has no arm for the handle "${handle}"`);
          run(arm.body);
          break;
        }
        case "loop":
          for (;;) {
            try {
              run(s.body);
              throw new Error(`the body of the loop at ${s.header} falls through`);
            } catch (signal) {
              if (signal instanceof Continue && signal.header === s.header) continue;
              if (signal instanceof Break) break;
              throw signal;
            }
          }
          break;
        case "continue":
          throw new Continue(s.header);
        case "break":
          throw new Break();
        case "guard":
          run(s.body);
          break;
      }
    }
  };
  visit(graph.start!);
  try {
    run(shape.body);
  } catch (signal) {
    if (!(signal instanceof WalkEnded)) throw signal;
  }
  return trace;
}
