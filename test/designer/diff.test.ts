// The comparison of two versions of a drawing (designer/diff.ts), on the examples and on the
// compiler's generated documents: a document compared with itself (or a copy with its keys in
// another order) shows no change, and one edit shows exactly that edit, no more.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { changesInWords, connectionInWords, diffDocuments, isEmptyDiff, mergedDrawing, nodeFates, valueInWords, type DocumentDiff } from "../../designer/diff.ts";
import { addNode, connect, deleteElements, moveNodes, renameNode, setDocumentField, setNodeField } from "../../designer/edits.ts";
import { canConnect } from "../../designer/connections.ts";
import { createRng, randomDocument, validDocument, type Rng } from "../compiler/random-documents.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const examples = readdirSync(path.join(root, "examples"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, doc: JSON.parse(readFileSync(path.join(root, "examples", f), "utf8")) as WorkflowDocument }));

const generated = Array.from({ length: 300 }, (_, seed) => randomDocument(seed + 1).raw).filter(
  (raw): raw is WorkflowDocument => !!raw && typeof raw === "object" && !Array.isArray(raw) && Array.isArray((raw as WorkflowDocument).nodes) && Array.isArray((raw as WorkflowDocument).edges),
);

/** The same JSON with every object's keys reversed. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  return value;
}

/** The diff in a few words, for comparing with what an edit should give. */
function summary(d: DocumentDiff) {
  return {
    workflow: d.workflow.map((f) => f.field),
    added: d.added.map((n) => n.id),
    removed: d.removed.map((n) => n.id),
    changed: d.changed.map((c) => [c.id, c.fields.map((f) => f.field)]),
    moved: d.moved,
    renamed: d.renamed.map((r) => [r.from, r.to]),
    edgesAdded: d.edgesAdded.map((e) => e.id),
    edgesRemoved: d.edgesRemoved.map((e) => e.id),
  };
}

const none = { workflow: [], added: [], removed: [], changed: [], moved: [], renamed: [], edgesAdded: [], edgesRemoved: [] };

describe("a drawing compared with itself", () => {
  it.each(examples)("shows no change on $file, whatever the order of its keys", ({ doc }) => {
    expect(isEmptyDiff(diffDocuments(doc, doc))).toBe(true);
    expect(isEmptyDiff(diffDocuments(doc, reversedKeys(doc) as WorkflowDocument))).toBe(true);
    expect(isEmptyDiff(diffDocuments(doc, JSON.parse(JSON.stringify(doc))))).toBe(true);
  });

  it(`shows no change on ${generated.length} generated documents, broken ones included`, () => {
    for (const doc of generated) {
      const d = diffDocuments(doc, JSON.parse(JSON.stringify(doc)));
      expect(summary(d)).toEqual(none);
    }
  });
});

/** One random edit of a valid document, and the diff it must give. */
function randomEdit(rng: Rng, doc: WorkflowDocument): { after: WorkflowDocument; expected: typeof none } {
  const nodes = doc.nodes.filter((n) => n.type !== "start");
  const pick = rng.pick(["label", "field", "add", "delete", "connect", "move", "title", "rename"] as const);
  const node = rng.pick(nodes);
  switch (pick) {
    case "label":
      return { after: setNodeField(doc, node.id, "label", `renamed ${rng.int(1, 1000)}`), expected: { ...none, changed: [[node.id, ["label"]]] as never } };
    case "field": {
      const key = node.type === "end" ? "result" : node.type === "timer" ? "duration" : node.type === "step" ? "timeout" : node.type === "signal" ? "signal" : node.type === "branch" ? "conditions" : "assignees";
      const value = key === "conditions" ? [{ handle: "other", when: "=false" }] : key === "assignees" ? ["legal"] : key === "result" ? { changed: true } : key === "signal" ? "other-signal" : "17m";
      const after = setNodeField(doc, node.id, key, value);
      // A branch's conditions renamed move its edge's handle: a connection removed and one added.
      const before = doc.edges.filter((e) => !after.edges.includes(e)).map((e) => e.id);
      const now = after.edges.filter((e) => !doc.edges.includes(e)).map((e) => e.id);
      return { after, expected: { ...none, changed: [[node.id, [key]]] as never, edgesRemoved: before as never, edgesAdded: now as never } };
    }
    case "add": {
      const { document, id } = addNode(doc, rng.pick(["step", "timer", "end", "approval"] as const), { position: { x: 1, y: 2 } });
      return { after: document, expected: { ...none, added: [id] as never } };
    }
    case "delete": {
      const after = deleteElements(doc, { nodes: [node.id] });
      return { after, expected: { ...none, removed: [node.id] as never, edgesRemoved: doc.edges.filter((e) => e.source === node.id || e.target === node.id).map((e) => e.id) as never } };
    }
    case "connect": {
      const { document, id } = addNode(doc, "end", { id: "the-new-end" });
      const source = nodes.find((n) => canConnect(document, { source: n.id, target: id, sourceHandle: n.type === "step" ? "error" : null }).ok);
      if (!source) return { after: document, expected: { ...none, added: [id] as never } };
      const connected = connect(document, { source: source.id, target: id, sourceHandle: source.type === "step" ? "error" : null });
      return { after: connected.document, expected: { ...none, added: [id] as never, edgesAdded: [connected.id] as never } };
    }
    case "move":
      return { after: moveNodes(doc, new Map([[node.id, { x: (node.position?.x ?? 0) + 40, y: (node.position?.y ?? 0) + 8 }]])), expected: { ...none, moved: [node.id] as never } };
    case "title":
      return { after: setDocumentField(doc, "title", `Title ${rng.int(1, 1000)}`), expected: { ...none, workflow: ["title"] as never } };
    case "rename": {
      // A new id, its connections following: the same node renamed, no connection changed.
      const to = `${node.id}-renamed`;
      return { after: renameNode(doc, node.id, to), expected: { ...none, renamed: [[node.id, to]] as never } };
    }
  }
}

describe("a drawing compared with itself after one edit", () => {
  it("names exactly that edit, on 400 generated documents", () => {
    const rng = createRng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const doc = validDocument(rng, { minNodes: 3, maxNodes: 20 });
      const { after, expected } = randomEdit(rng, doc);
      expect(summary(diffDocuments(doc, after))).toEqual(expected);
      // And the other way round: what was added is removed.
      const back = summary(diffDocuments(after, doc));
      expect([back.added, back.removed, back.edgesAdded, back.edgesRemoved]).toEqual([expected.removed, expected.added, expected.edgesRemoved, expected.edgesAdded]);
      for (const [k, v] of Object.entries(expected)) if ((v as unknown[]).length) seen.add(k);
    }
    expect([...seen].sort()).toEqual(["added", "changed", "edgesAdded", "edgesRemoved", "moved", "removed", "renamed", "workflow"]);
  });

  it("gives each changed field's label and its values before and after, in words", () => {
    const transfer = examples.find((e) => e.file === "money-transfer.json")!.doc;
    const branch = transfer.nodes.find((n) => n.type === "branch")!;
    const conditions = (branch as { conditions: { handle: string; when: string }[] }).conditions;
    const after = setNodeField(transfer, branch.id, "conditions", [{ ...conditions[0], when: "=input.amount > 20000" }, ...conditions.slice(1)]);
    const d = diffDocuments(transfer, after);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0].fields).toEqual([{ field: "conditions", label: "Conditions", before: conditions, after: (after.nodes.find((n) => n.id === branch.id) as typeof branch & { conditions: unknown }).conditions }]);
    expect(nodeFates(d)).toEqual(new Map([[branch.id, "changed"]]));
    expect(valueInWords("=input.amount > 20000")).toBe("“=input.amount > 20000”");
    expect(valueInWords(["finance", "legal"])).toBe("finance, legal");
    expect(valueInWords(undefined)).toBe("nothing");
    const edge = transfer.edges.find((e) => e.sourceHandle === "approved")!;
    expect(connectionInWords(edge, transfer)).toMatch(/ \(approved\) to /);
  });

  it("tells a type changed under the same id, and the workflow's input schema", () => {
    const doc: WorkflowDocument = { name: "w", nodes: [{ id: "start", type: "start" }, { id: "x", type: "timer", duration: "1h" }], edges: [{ id: "e1", source: "start", target: "x" }] };
    const after = { ...doc, inputSchema: { type: "object" }, nodes: [doc.nodes[0], { id: "x", type: "end" }], edges: [{ id: "other-id", source: "start", target: "x" }] } as WorkflowDocument;
    expect(summary(diffDocuments(doc, after))).toEqual({ ...none, workflow: ["inputSchema"], changed: [["x", ["type", "duration"]]] });
    expect(diffDocuments(doc, after).workflow[0]).toMatchObject({ label: "Input fields", before: undefined, after: { type: "object" } });
  });
});

describe("a comparison in words and on one drawing", () => {
  const transfer = examples.find((e) => e.file === "money-transfer.json")!.doc;

  it("lists each change in plain words, input fields by name", () => {
    let after = deleteElements(transfer, { nodes: ["expired"] });
    after = setNodeField(after, "review", "assignees", ["finance", "legal"]);
    after = addNode(after, "timer", { id: "pause" }).document;
    const schema = transfer.inputSchema as { properties: Record<string, unknown> };
    after = setDocumentField(after, "inputSchema", { ...schema, properties: { ...schema.properties, note: { type: "string" } } });
    const lines = changesInWords(transfer, after);
    expect(lines.map((l) => [l.kind, l.text])).toEqual([
      ["workflow", "Changed the input fields"],
      ["added", "Added Timer “pause”"],
      ["removed", "Removed End “expired”"],
      ["changed", "Changed Approval “review”"],
      ["disconnected", expect.stringMatching(/^Disconnected review \(timeout\) to expired$/)],
    ]);
    expect(lines[0].fields).toEqual([{ label: "Input field note", before: "none", after: "note: text, optional" }]);
    expect(lines[3].fields).toEqual([{ label: "Assignees", before: "finance", after: "finance, legal" }]);
  });

  it("draws the newer document with the older one's removed nodes and connections, ids apart", () => {
    const after = deleteElements(transfer, { nodes: ["expired"] });
    const d = diffDocuments(transfer, after);
    const merged = mergedDrawing(transfer, after, d);
    expect(merged.document.nodes.map((n) => n.id)).toEqual([...after.nodes.map((n) => n.id), "expired"]);
    expect(merged.document.edges).toHaveLength(transfer.edges.length);
    expect(new Set(merged.document.edges.map((e) => e.id)).size).toBe(transfer.edges.length);
    expect([...merged.removedEdges]).toEqual([`was:${transfer.edges.find((e) => e.target === "expired")!.id}`]);
    expect(merged.addedEdges.size).toBe(0);
  });

  it("pairs a node whose id alone changed as renamed, its connections unchanged, and says so", () => {
    const after = moveNodes(renameNode(transfer, "review", "approve"), new Map([["approve", { x: 5, y: 5 }]]));
    const d = diffDocuments(transfer, after);
    expect(summary(d)).toEqual({ ...none, renamed: [["review", "approve"]] });
    expect(nodeFates(d)).toEqual(new Map([["approve", "renamed"]]));
    const lines = changesInWords(transfer, after, d);
    expect(lines).toEqual([{ kind: "renamed", nodeId: "approve", subject: expect.stringMatching(/^Approval “/), text: expect.stringMatching(/^Renamed Approval “/), fields: [{ label: "Id", before: "“review”", after: "“approve”" }] }]);
    // Drawn once, under its new id, with its connections.
    const merged = mergedDrawing(transfer, after, d);
    expect(merged.document.nodes.map((n) => n.id)).toEqual(after.nodes.map((n) => n.id));
    expect(merged.removedEdges.size + merged.addedEdges.size).toBe(0);
    // The other way round too.
    expect(summary(diffDocuments(after, transfer))).toEqual({ ...none, renamed: [["approve", "review"]] });
  });

  it("keeps a renamed node's connection changes, under its new id", () => {
    const renamed = renameNode(transfer, "expired", "too-late");
    const after = deleteElements(renamed, { edges: [renamed.edges.find((e) => e.target === "too-late")!.id] });
    const d = diffDocuments(transfer, after);
    expect(summary(d)).toEqual({ ...none, renamed: [["expired", "too-late"]], edgesRemoved: ["e6"] });
    const merged = mergedDrawing(transfer, after, d);
    expect(merged.document.edges.find((e) => merged.removedEdges.has(e.id))).toMatchObject({ source: "review", sourceHandle: "timeout", target: "too-late" });
  });

  it("does not pair when the id is not all that changed, nor when two alike nodes leave no telling which became which", () => {
    const relabelled = setNodeField(renameNode(transfer, "review", "approve"), "approve", "label", "Approve it");
    expect(summary(diffDocuments(transfer, relabelled))).toMatchObject({ added: ["approve"], removed: ["review"], renamed: [] });
    // Two plain ends both renamed: either could be either.
    const two: WorkflowDocument = {
      name: "w",
      nodes: [{ id: "start", type: "start" }, { id: "b", type: "branch", conditions: [{ handle: "yes", when: "=true" }] }, { id: "x", type: "end" }, { id: "y", type: "end" }],
      edges: [{ id: "e1", source: "start", target: "b" }, { id: "e2", source: "b", sourceHandle: "yes", target: "x" }, { id: "e3", source: "b", sourceHandle: "else", target: "y" }],
    };
    const both = renameNode(renameNode(two, "x", "x2"), "y", "y2");
    expect(summary(diffDocuments(two, both))).toMatchObject({ added: ["x2", "y2"], removed: ["x", "y"], renamed: [] });
    // One of them alone: that one is renamed.
    expect(summary(diffDocuments(two, renameNode(two, "x", "x2")))).toEqual({ ...none, renamed: [["x", "x2"]] });
  });

  it("draws a removed connection from a handle its node no longer has, naming that handle", () => {
    // The branch loses its only condition (and with it its “large” handle and connection).
    const after = deleteElements(setNodeField(transfer, "size", "conditions", []), { edges: ["e2"] });
    const d = diffDocuments(transfer, after);
    expect(d.edgesRemoved.map((e) => e.id)).toEqual(["e2"]);
    const merged = mergedDrawing(transfer, after, d);
    expect([...merged.removedEdges]).toEqual(["was:e2"]);
    expect(merged.goneHandles).toEqual(new Map([["size", ["large"]]]));
    // A removed connection from a handle still there needs none.
    const plain = mergedDrawing(transfer, deleteElements(transfer, { edges: ["e6"] }));
    expect(plain.goneHandles.size).toBe(0);
  });
});
