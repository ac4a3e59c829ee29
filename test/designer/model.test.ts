// The designer's model without a browser, on every example and on the compiler's generated
// documents: document → canvas → document is the identity; every edit can be undone (and
// redone); connections a handle cannot have are refused with a reason; layouts place every node
// apart; diagnostics land on the node or edge they name; the code map points at each node's block.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, TARGETS } from "../../compiler/compile.ts";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { nodeAtLine } from "../../compiler/node-lines.ts";
import { handlesFor, KIND_LIST, NODE_KINDS } from "../../designer/catalogue.ts";
import { fromCanvas, toCanvas } from "../../designer/canvas.ts";
import { canConnect } from "../../designer/connections.ts";
import { byElement } from "../../designer/diagnostics.ts";
import { addNode, blankDocument, connect, copy, deleteElements, EditError, moveNodes, paste, renameNode, setDocumentField, setNodeField } from "../../designer/edits.ts";
import { createDocumentStore, record, redo, undo } from "../../designer/store.ts";
import { layout, needsLayout, NODE_HEIGHT, NODE_WIDTH } from "../../designer/layout.ts";
import { createRng, randomDocument, validDocument } from "../compiler/random-documents.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const examples = readdirSync(path.join(root, "examples"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, doc: JSON.parse(readFileSync(path.join(root, "examples", f), "utf8")) as WorkflowDocument }));

const hasArrays = (raw: unknown): raw is WorkflowDocument =>
  !!raw && typeof raw === "object" && !Array.isArray(raw) && Array.isArray((raw as WorkflowDocument).nodes) && Array.isArray((raw as WorkflowDocument).edges);

const generated = Array.from({ length: 300 }, (_, seed) => randomDocument(seed + 1)).filter((g) => hasArrays(g.raw));

const deepClone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe("document → canvas → document", () => {
  it.each(examples)("is the identity on $file, byte for byte", ({ doc }) => {
    const back = fromCanvas(toCanvas(doc));
    expect(JSON.stringify(back, null, 2)).toBe(JSON.stringify(doc, null, 2));
  });

  it(`is the identity on ${generated.length} generated documents, broken ones included`, () => {
    for (const g of generated) {
      const before = JSON.stringify(g.raw);
      const back = fromCanvas(toCanvas(g.raw as WorkflowDocument));
      expect(JSON.stringify(back), `seed ${g.seed}`).toBe(before);
    }
  });

  it("gives every node its name, handles and a place; hidden items stay hidden", () => {
    const canvas = toCanvas({ name: "x", nodes: [{ id: "a", type: "start" }, 42 as never, { id: "b", type: "approval", label: " Review ", timeout: "1d" } as never], edges: [] });
    expect(canvas.nodes.map((n) => [n.id.startsWith("\u0000") ? "hidden" : n.id, n.hidden ?? false, n.ariaLabel])).toEqual([
      ["a", false, "a"],
      ["hidden", true, undefined],
      ["b", false, "Review"],
    ]);
    expect(canvas.nodes[2].data.handles.map((h) => h.id)).toEqual(["approved", "declined", "timeout"]);
    expect(canvas.nodes[0].data.placeholder).toEqual({ x: 0, y: 0 });
  });

  it("draws unplaced nodes where a layout put them, without placing them in the document", async () => {
    const doc = examples.find((e) => e.file === "money-transfer.json")!.doc;
    const positions = await layout(doc);
    const canvas = toCanvas(doc, positions);
    expect(canvas.nodes.map((n) => n.position)).toEqual(doc.nodes.map((n) => positions.get(n.id)));
    expect(JSON.stringify(fromCanvas(canvas))).toBe(JSON.stringify(doc));
    canvas.nodes[1] = { ...canvas.nodes[1], position: { x: 5, y: 5 } };
    expect(fromCanvas(canvas).nodes[1].position).toEqual({ x: 5, y: 5 });
  });

  it("keeps a dragged position, and only that", () => {
    const doc = examples.find((e) => e.file === "order-item.json")!.doc;
    const canvas = toCanvas(doc);
    canvas.nodes[1] = { ...canvas.nodes[1], position: { x: 300, y: 130 } };
    const back = fromCanvas(canvas);
    expect(back.nodes[1].position).toEqual({ x: 300, y: 130 });
    expect({ ...back, nodes: back.nodes.filter((_, i) => i !== 1) }).toEqual({ ...doc, nodes: doc.nodes.filter((_, i) => i !== 1) });
  });
});

/** Applies each edit through the document store, then undoes them all and redoes them all. */
function checkUndo(start: WorkflowDocument, edits: ((d: WorkflowDocument) => WorkflowDocument)[], label: string) {
  const frozen = JSON.stringify(start);
  const store = createDocumentStore(start);
  const present = () => store.getState().document;
  const states = [start];
  for (const edit of edits) {
    record(store, edit(present()));
    if (present() !== states[states.length - 1]) states.push(present());
  }
  // Nothing was changed in place.
  expect(JSON.stringify(start), label).toBe(frozen);
  for (let i = states.length - 1; i > 0; i--) {
    expect(present(), label).toBe(states[i]);
    undo(store);
  }
  expect(present(), label).toBe(start);
  undo(store);
  expect(present(), label).toBe(start);
  for (let i = 1; i < states.length; i++) {
    redo(store);
    expect(present(), label).toBe(states[i]);
  }
}

function editsFor(doc: WorkflowDocument, seed: number): ((d: WorkflowDocument) => WorkflowDocument)[] {
  const rng = createRng(seed);
  const ids = doc.nodes.filter((n) => n && typeof n.id === "string").map((n) => n.id);
  const some = ids.length > 0 ? rng.pick(ids) : "start";
  const other = ids.length > 0 ? rng.pick(ids) : "start";
  const edges = doc.edges.filter((e) => e && typeof e.id === "string").map((e) => e.id);
  const list: ((d: WorkflowDocument) => WorkflowDocument)[] = [];
  for (const kind of KIND_LIST.filter((k) => k.inPalette)) list.push((d) => addNode(d, kind.type, { position: { x: 10, y: 20 } }).document);
  list.push((d) => addNode(d, "step", { activity: "orders.init" }).document);
  list.push((d) => {
    try {
      return connect(d, { source: some, target: other, sourceHandle: null }).document;
    } catch (err) {
      expect(err).toBeInstanceOf(EditError);
      return d;
    }
  });
  list.push((d) => (d.nodes.some((n) => n.id === some) ? setNodeField(d, some, "label", "Renamed") : d));
  list.push((d) => (d.nodes.some((n) => n.id === some) ? setNodeField(d, some, "label", undefined) : d));
  list.push((d) => moveNodes(d, new Map([[some, { x: 7, y: 9 }]])));
  list.push((d) => (d.nodes.some((n) => n.id === other) && !d.nodes.some((n) => n.id === `${other}-renamed`) ? renameNode(d, other, `${other}-renamed`) : d));
  list.push((d) => paste(d, copy(d, ids.slice(0, 3))).document);
  list.push((d) => deleteElements(d, { nodes: [some], edges: edges.slice(0, 2) }));
  list.push((d) => setDocumentField(d, "title", "A new title"));
  return list;
}

describe("edits", () => {
  it.each(examples)("on $file can each be undone and redone", ({ doc }) => {
    checkUndo(doc, editsFor(doc, 7), "example");
  });

  it("on the generated documents can each be undone and redone", () => {
    for (const g of generated.slice(0, 120)) checkUndo(g.raw as WorkflowDocument, editsFor(g.raw as WorkflowDocument, g.seed), `seed ${g.seed}`);
  });

  it("draw order-item from a blank document into the example's module", () => {
    const example = examples.find((e) => e.file === "order-item.json")!.doc;
    let d = setDocumentField(blankDocument("order-item", "Order item"), "inputSchema", example.inputSchema);
    let id: string;
    const steps: [string, string][] = [
      ["init", "orders.init"],
      ["fulfill", "orders.fulfill"],
      ["archive", "orders.archive"],
    ];
    let previous = "start";
    for (const [want, activity] of steps) {
      ({ document: d, id } = addNode(d, "step", { activity }));
      expect(id).toBe(want);
      const source = example.nodes.find((n) => n.id === want) as unknown as Record<string, unknown>;
      for (const key of ["label", "input", "output", "retry", "timeout"]) if (source[key] !== undefined) d = setNodeField(d, id, key, source[key]);
      d = connect(d, { source: previous, target: id }).document;
      previous = id;
    }
    ({ document: d, id } = addNode(d, "end", { id: "done" }));
    d = setNodeField(d, id, "result", (example.nodes.find((n) => n.id === "done") as { result: unknown }).result as never);
    d = connect(d, { source: previous, target: id }).document;
    const drawn = compile(d);
    const expected = compile(example);
    expect(drawn.ok && expected.ok).toBe(true);
    if (drawn.ok && expected.ok) {
      expect(drawn.hash).toBe(expected.hash);
      expect(drawn.code).toBe(expected.code);
    }
  });

  it("rename follows edges and branch handles; delete takes the node's edges and never the start", () => {
    const doc = deepClone(examples.find((e) => e.file === "money-transfer.json")!.doc);
    const renamed = renameNode(doc, "size", "how-big");
    expect(renamed.edges.filter((e) => e.source === "how-big").length).toBe(doc.edges.filter((e) => e.source === "size").length);
    const size = doc.nodes.find((n) => n.id === "size") as { conditions: { handle: string; when: string }[] };
    const relabelled = setNodeField(doc, "size", "conditions", [{ ...size.conditions[0], handle: "big" }]);
    expect(relabelled.edges.some((e) => e.source === "size" && e.sourceHandle === "big")).toBe(true);
    expect(compile(relabelled).ok).toBe(true);
    const deleted = deleteElements(doc, { nodes: ["start", "review"] });
    expect(deleted.nodes.some((n) => n.id === "start")).toBe(true);
    expect(deleted.edges.some((e) => e.source === "review" || e.target === "review")).toBe(false);
    expect(() => renameNode(doc, "size", "review")).toThrow(/another node/);
  });

  it("paste gives new ids where taken and keeps the edges between the pasted nodes", () => {
    const doc = examples.find((e) => e.file === "order-item.json")!.doc;
    const fragment = JSON.parse(JSON.stringify(copy(doc, ["init", "fulfill"])));
    const { document, ids } = paste(doc, fragment);
    expect(ids).toEqual(["init-2", "fulfill-2"]);
    expect(document.edges.filter((e) => e.source === "init-2" && e.target === "fulfill-2").length).toBe(1);
  });
});

describe("connections", () => {
  const doc = examples.find((e) => e.file === "money-transfer.json")!.doc;
  it("are refused with a reason when a handle cannot have them", () => {
    const reason = (c: Parameters<typeof canConnect>[1]) => {
      const v = canConnect(doc, c);
      return v.ok ? "ok" : v.reason;
    };
    expect(reason({ source: "transfer", target: "start" })).toMatch(/Nothing may lead into Start/);
    expect(reason({ source: "done", target: "transfer" })).toMatch(/is an End/);
    expect(reason({ source: "review", sourceHandle: "approved", target: "done" })).toMatch(/already leads to transfer .*each handle leads one way/);
    expect(reason({ source: "review", sourceHandle: "maybe", target: "done" })).toMatch(/has no “maybe” handle; a Approval leaves from “approved”, “declined”, “timeout”/);
    expect(reason({ source: "transfer", target: "transfer" })).toMatch(/cannot lead to itself/);
    expect(reason({ source: "transfer", sourceHandle: "error", target: "done" })).toBe("ok");
  });

  it("follow the compiler's handles for every kind", () => {
    for (const kind of KIND_LIST) expect(handlesFor(kind.create("x")).length, kind.type).toBeGreaterThanOrEqual(kind.type === "end" ? 0 : 1);
    expect(handlesFor(NODE_KINDS.branch.create("b")).map((h) => h.id)).toEqual(["yes", "else"]);
    expect(handlesFor({ id: "s", type: "signal", signal: "x", timeout: "1h" }).map((h) => h.label)).toEqual(["", "timeout"]);
  });
});

describe("layout", () => {
  const docs = [...examples.map((e) => e.doc), ...Array.from({ length: 10 }, (_, i) => validDocument(createRng(100 + i), { minNodes: 20, maxNodes: 60 }))];
  it("places every node of documents without positions, none overlapping", async () => {
    for (const doc of docs) {
      const bare = { ...doc, nodes: doc.nodes.map(({ position: _p, ...n }) => n) } as WorkflowDocument;
      expect(needsLayout(bare)).toBe(true);
      const positions = await layout(bare);
      const placed = moveNodes(bare, positions);
      expect(needsLayout(placed)).toBe(false);
      const boxes = placed.nodes.map((n) => n.position!);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const apart = Math.abs(boxes[i].x - boxes[j].x) >= NODE_WIDTH || Math.abs(boxes[i].y - boxes[j].y) >= NODE_HEIGHT;
          expect(apart, `${doc.name}: ${placed.nodes[i].id} and ${placed.nodes[j].id}`).toBe(true);
        }
    }
  });
});

describe("diagnostics by element", () => {
  it("put each of the compiler's diagnostics on the node or edge it names, or the document", () => {
    let seen = 0;
    for (const g of generated) {
      const result = compile(g.raw);
      if (result.ok) continue;
      const by = byElement(g.raw as WorkflowDocument, result.diagnostics);
      const count = [...by.nodes.values(), ...by.edges.values()].reduce((s, l) => s + l.length, 0) + by.document.length;
      expect(count).toBe(result.diagnostics.length);
      expect(by.problems.length).toBe(result.diagnostics.length);
      seen += by.nodes.size;
    }
    expect(seen).toBeGreaterThan(50);
  });

  it("name a node by its label and an edge by its ends", () => {
    const doc = deepClone(examples.find((e) => e.file === "money-transfer.json")!.doc);
    const broken = setNodeField(doc, "size", "conditions", [{ handle: "large", when: "=nope > 1" }]);
    const result = compile(broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const by = byElement(broken, result.diagnostics);
    expect(by.problems).toEqual([expect.objectContaining({ id: "size", on: "node", name: "Large transfer?" })]);
    expect(by.problems[0].message).toMatch(/nope/);
  });
});

describe("the code map", () => {
  it.each(examples)("of $file points each node but start at its block, for both targets", ({ doc }) => {
    for (const target of TARGETS) {
      const result = compile(doc, { target });
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      const lines = result.code.split("\n");
      for (const node of doc.nodes) {
        if (node.type === "start") continue;
        const ranges = result.lines.get(node.id);
        expect(ranges?.length, `${target} ${node.id}`).toBeGreaterThan(0);
        for (const r of ranges!) {
          expect(lines[r.start - 1]).toMatch(new RegExp(`// ${node.id.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}(:|$)`));
          expect(nodeAtLine(result.lines, r.start)).toBe(node.id);
        }
      }
    }
  });
});

describe("names in scope", () => {
  it("are the input's fields and the variables defined on every path to the node", async () => {
    const { namesInScope } = await import("../../designer/scope.ts");
    const doc = examples.find((e) => e.file === "money-transfer.json")!.doc;
    expect(namesInScope(doc, "transfer").input).toEqual(["from", "to", "amount"]);
    expect(namesInScope(doc, "notify-declined").variables).toEqual(["decision"]);
    expect(namesInScope(doc, "transfer").variables).toEqual([]);
    expect(namesInScope(doc, "done").variables).toEqual(["receipt"]);
    expect(namesInScope({ name: "x", nodes: [], edges: [] }, "a").variables).toEqual([]);
  });
});

describe("the outline", () => {
  it("is a tree from start in handle order, with loops and joins as references, on every example", async () => {
    const { outline } = await import("../../designer/outline.ts");
    const money = outline(examples.find((e) => e.file === "money-transfer.json")!.doc);
    const flat = (items: ReturnType<typeof outline>): string[] => items.flatMap((i) => [`${i.via ?? ""}>${i.id}${i.ref ? `(${i.ref})` : ""}`, ...flat(i.children)]);
    expect(flat(money)).toEqual([">start", ">size", "large>review", "approved>transfer", ">done", "declined>notify-declined", ">declined", "timeout>expired", "else>transfer(join)"]);
    for (const { doc } of examples) {
      const items = flat(outline(doc)).filter((s) => !s.includes("("));
      expect(items.length, doc.name).toBe(doc.nodes.length);
    }
    const loop = outline(examples.find((e) => e.file === "monthly-statements.json")!.doc);
    expect(flat(loop).some((s) => s.endsWith("(back)"))).toBe(true);
  });
});
