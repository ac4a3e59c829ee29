// What changed between two versions of a drawing: the nodes added, removed, changed (each
// changed field named, with its value before and after), only moved, or only renamed (a new id,
// nothing else changed); the connections added and removed; the workflow's own fields changed.
// Nodes are matched by id and connections by what they join (source, handle, target), not by
// their edge ids, which carry no meaning.
// Values are compared as JSON whatever the order of their keys. Works on broken drawings too:
// an item without an id is left out.

import type { Edge, WorkflowDocument, WorkflowNode } from "../compiler/document.ts";
import { handlesFor, kindOf, nodeName } from "./catalogue.ts";
import { fieldInWords, schemaToFields } from "./input-schema.ts";

export interface FieldChange {
  /** The field's key in the document ("conditions", "title"). */
  field: string;
  /** Its name in plain words, as the inspector shows it ("Conditions"). */
  label: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  id: string;
  before: WorkflowNode;
  after: WorkflowNode;
  /** What changed, in the kind's field order, position left out (see `moved`). */
  fields: FieldChange[];
}

export interface DocumentDiff {
  /** The workflow's own fields (title, input schema, …) that changed. */
  workflow: FieldChange[];
  /** Nodes only the newer document has, in its order. */
  added: WorkflowNode[];
  /** Nodes only the older document has, in its order. */
  removed: WorkflowNode[];
  /** Nodes in both whose fields differ, in the newer document's order. */
  changed: NodeChange[];
  /** Nodes in both that differ only in where they are drawn. */
  moved: string[];
  /**
   * Nodes whose id alone changed (and perhaps their place): a node only the older document has
   * and one only the newer has, alike in every other field, and the only such pair of their
   * kind and fields. Listed neither as removed nor as added; `node` is the newer one.
   */
  renamed: { from: string; to: string; node: WorkflowNode }[];
  /** Connections only the newer document has. */
  edgesAdded: Edge[];
  /** Connections only the older document has. */
  edgesRemoved: Edge[];
}

/** Fields that place a node on the drawing and do not change what runs do. */
const LAYOUT_FIELDS = new Set(["position"]);

const WORKFLOW_LABELS: Record<string, string> = { name: "Name", title: "Title", inputSchema: "Input fields" };
const NODE_LABELS: Record<string, string> = { type: "Kind", label: "Label", position: "Place on the drawing" };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so that key order makes no difference. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  return value === undefined ? "undefined" : JSON.stringify(value);
}

export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || canonical(a) === canonical(b);
}

function byId(nodes: unknown): Map<string, WorkflowNode> {
  const map = new Map<string, WorkflowNode>();
  if (!Array.isArray(nodes)) return map;
  for (const n of nodes) if (isObject(n) && typeof n.id === "string" && !map.has(n.id)) map.set(n.id, n as unknown as WorkflowNode);
  return map;
}

/** What an edge joins: two edges joining the same handle to the same node are one connection. */
export function connectionKey(e: { source: string; target: string; sourceHandle?: string | null }): string {
  return `${e.source}\u0000${e.sourceHandle ?? ""}\u0000${e.target}`;
}

function byConnection(edges: unknown): Map<string, Edge> {
  const map = new Map<string, Edge>();
  if (!Array.isArray(edges)) return map;
  for (const e of edges) if (isObject(e) && typeof e.source === "string" && typeof e.target === "string") map.set(connectionKey(e as unknown as Edge), e as unknown as Edge);
  return map;
}

/** A node field's name in plain words: the inspector's label for its kind, else the key. */
export function fieldLabel(type: unknown, field: string): string {
  return kindOf(type)?.fields.find((f) => f.key === field)?.label ?? NODE_LABELS[field] ?? field;
}

/** The keys of both records, in `after`'s order then `before`'s, kind-declared fields first. */
function keysOf(before: Record<string, unknown>, after: Record<string, unknown>, order: readonly string[] = []): string[] {
  const all = new Set([...Object.keys(after), ...Object.keys(before)]);
  return [...order.filter((k) => all.has(k)), ...[...all].filter((k) => !order.includes(k))];
}

function nodeChanges(before: WorkflowNode, after: WorkflowNode): FieldChange[] {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  const order = ["type", ...(kindOf(after.type)?.fields.map((f) => f.key) ?? [])];
  return keysOf(a, b, order)
    .filter((k) => k !== "id" && !sameValue(a[k], b[k]))
    .map((k) => ({ field: k, label: fieldLabel(after.type, k), before: a[k], after: b[k] }));
}

/** A node's kind and fields without its id and place: what a renamed node keeps. */
const withoutId = (n: WorkflowNode) => canonical({ ...(n as unknown as Record<string, unknown>), id: undefined, position: undefined });

/**
 * The renamed nodes among those removed and added: pairs alike but for id and place, where the
 * pair is the only removed and the only added node so alike (two alike on either side: no
 * telling which became which, so they stay removed and added).
 */
function renamesOf(removed: WorkflowNode[], added: WorkflowNode[]): { from: string; to: string; node: WorkflowNode }[] {
  const group = (nodes: WorkflowNode[]) => {
    const map = new Map<string, WorkflowNode[]>();
    for (const n of nodes) map.set(withoutId(n), [...(map.get(withoutId(n)) ?? []), n]);
    return map;
  };
  const was = group(removed);
  const renamed: { from: string; to: string; node: WorkflowNode }[] = [];
  for (const [key, now] of group(added)) {
    const old = was.get(key);
    if (now.length === 1 && old?.length === 1) renamed.push({ from: old[0]!.id, to: now[0]!.id, node: now[0]! });
  }
  return renamed;
}

/** What changed from `before` to `after` (either may be a drawing with problems). */
export function diffDocuments(before: WorkflowDocument, after: WorkflowDocument): DocumentDiff {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  const workflow = keysOf(a, b, ["name", "title", "inputSchema"])
    .filter((k) => k !== "nodes" && k !== "edges" && !sameValue(a[k], b[k]))
    .map((k) => ({ field: k, label: WORKFLOW_LABELS[k] ?? k, before: a[k], after: b[k] }));

  const old = byId(before.nodes);
  const now = byId(after.nodes);
  const renamed = renamesOf(
    [...old.values()].filter((n) => !now.has(n.id)),
    [...now.values()].filter((n) => !old.has(n.id)),
  );
  const renamedFrom = new Map(renamed.map((r) => [r.from, r.to]));
  const renamedTo = new Set(renamed.map((r) => r.to));
  const added = [...now.values()].filter((n) => !old.has(n.id) && !renamedTo.has(n.id));
  const removed = [...old.values()].filter((n) => !now.has(n.id) && !renamedFrom.has(n.id));
  const changed: NodeChange[] = [];
  const moved: string[] = [];
  for (const n of now.values()) {
    const o = old.get(n.id);
    if (!o) continue;
    const fields = nodeChanges(o, n);
    const meaningful = fields.filter((f) => !LAYOUT_FIELDS.has(f.field));
    if (meaningful.length > 0) changed.push({ id: n.id, before: o, after: n, fields: meaningful });
    else if (fields.length > 0) moved.push(n.id);
  }

  // A renamed node's connections are its connections still, under its new id.
  const oldEdges = byConnection(before.edges);
  const newEdges = byConnection(after.edges);
  const renamedKey = (e: Edge) => connectionKey({ ...e, source: renamedFrom.get(e.source) ?? e.source, target: renamedFrom.get(e.target) ?? e.target });
  const oldKeys = new Set([...oldEdges.values()].map(renamedKey));
  const edgesAdded = [...newEdges].filter(([k]) => !oldKeys.has(k)).map(([, e]) => e);
  const edgesRemoved = [...oldEdges.values()].filter((e) => !newEdges.has(renamedKey(e)));
  return { workflow, added, removed, changed, moved, renamed, edgesAdded, edgesRemoved };
}

/** Whether two drawings run the same way and look the same: nothing in the diff at all. */
export function isEmptyDiff(d: DocumentDiff): boolean {
  return d.workflow.length + d.added.length + d.removed.length + d.changed.length + d.moved.length + d.renamed.length + d.edgesAdded.length + d.edgesRemoved.length === 0;
}

/** How each node of either document fares: what the drawing of a comparison colours. */
export type NodeFate = "added" | "removed" | "changed" | "moved" | "renamed" | "same";

export function nodeFates(d: DocumentDiff): Map<string, NodeFate> {
  const fates = new Map<string, NodeFate>();
  for (const n of d.added) fates.set(n.id, "added");
  for (const n of d.removed) fates.set(n.id, "removed");
  for (const c of d.changed) fates.set(c.id, "changed");
  for (const id of d.moved) fates.set(id, "moved");
  for (const r of d.renamed) fates.set(r.to, "renamed");
  return fates;
}

/** A value in a sentence: text as it is, lists of names joined, anything else as short JSON. */
export function valueInWords(value: unknown, max = 160): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return value === "" ? "an empty text" : `“${value.length > max ? `${value.slice(0, max)}…` : value}”`;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.length === 0 ? "none" : value.join(", ");
  // A branch's conditions: “big when =input.amount > 10000; small when …”.
  if (Array.isArray(value) && value.length > 0 && value.every((v) => isObject(v) && typeof v.handle === "string" && typeof v.when === "string"))
    return (value as { handle: string; when: string }[]).map((c) => `${c.handle} when ${c.when}`).join("; ");
  const json = JSON.stringify(value);
  return json.length > max ? `${json.slice(0, max)}…` : json;
}

/** A connection in words: “Review (approved) to Pay”, by the nodes' names in either document. */
export function connectionInWords(e: Edge, ...docs: WorkflowDocument[]): string {
  const name = (id: string) => {
    for (const d of docs) {
      const n = byId(d.nodes).get(id);
      if (n) return nodeName(n, id);
    }
    return id;
  };
  return `${name(e.source)}${e.sourceHandle ? ` (${e.sourceHandle})` : ""} to ${name(e.target)}`;
}

/** One line of a comparison in words, with the node it is about (for the drawing) and the fields that changed. */
export interface ChangeLine {
  kind: NodeFate | "workflow" | "connected" | "disconnected";
  text: string;
  /** The node the line is about, and how it is named without the verb (“Branch “Large transfer?””). */
  nodeId?: string;
  subject?: string;
  fields?: { label: string; before: string; after: string }[];
}

const kindTitle = (n: WorkflowNode) => kindOf(n.type)?.title ?? String(n.type);

/** The input fields added, removed and changed between two input schemas, in words. */
export function inputChangesInWords(before: unknown, after: unknown): { label: string; before: string; after: string }[] {
  const a = schemaToFields(before);
  const b = schemaToFields(after);
  if (!a.ok || !b.ok) return [{ label: "Input schema", before: valueInWords(before), after: valueInWords(after) }];
  const old = new Map(a.fields.map((f) => [f.name, fieldInWords(f)]));
  const now = new Map(b.fields.map((f) => [f.name, fieldInWords(f)]));
  const lines: { label: string; before: string; after: string }[] = [];
  for (const [name, words] of now) if (old.get(name) !== words) lines.push({ label: `Input field ${name}`, before: old.get(name) ?? "none", after: words });
  for (const [name, words] of old) if (!now.has(name)) lines.push({ label: `Input field ${name}`, before: words, after: "none" });
  return lines;
}

/** The whole comparison in plain words: the workflow's fields, then nodes added, removed, renamed, changed, moved, then connections. */
export function changesInWords(before: WorkflowDocument, after: WorkflowDocument, d: DocumentDiff = diffDocuments(before, after)): ChangeLine[] {
  const lines: ChangeLine[] = [];
  for (const f of d.workflow) {
    const fields = f.field === "inputSchema" ? inputChangesInWords(f.before, f.after) : [{ label: f.label, before: valueInWords(f.before), after: valueInWords(f.after) }];
    lines.push({ kind: "workflow", text: f.field === "inputSchema" ? "Changed the input fields" : `Changed the workflow's ${f.label.toLowerCase()}`, fields });
  }
  const subject = (n: WorkflowNode) => `${kindTitle(n)} “${nodeName(n)}”`;
  for (const n of d.added) lines.push({ kind: "added", nodeId: n.id, subject: subject(n), text: `Added ${subject(n)}` });
  for (const n of d.removed) lines.push({ kind: "removed", nodeId: n.id, subject: subject(n), text: `Removed ${subject(n)}` });
  for (const r of d.renamed)
    lines.push({ kind: "renamed", nodeId: r.to, subject: subject(r.node), text: `Renamed ${subject(r.node)}`, fields: [{ label: "Id", before: valueInWords(r.from), after: valueInWords(r.to) }] });
  for (const c of d.changed)
    lines.push({
      kind: "changed",
      nodeId: c.id,
      subject: subject(c.after),
      text: `Changed ${subject(c.after)}`,
      fields: c.fields.map((f) => ({ label: f.label, before: valueInWords(f.before), after: valueInWords(f.after) })),
    });
  if (d.moved.length > 0) {
    const names = d.moved.map((id) => nodeName(byId(after.nodes).get(id), id));
    lines.push({ kind: "moved", text: `Moved ${names.map((n) => `“${n}”`).join(", ")} on the drawing, nothing else` });
  }
  for (const e of d.edgesAdded) lines.push({ kind: "connected", text: `Connected ${connectionInWords(e, after, before)}` });
  for (const e of d.edgesRemoved) lines.push({ kind: "disconnected", text: `Disconnected ${connectionInWords(e, before, after)}` });
  return lines;
}

/**
 * One drawing of both documents: the newer one's nodes and connections, and the older one's
 * removed nodes and connections with them (their ids marked, so they clash with nothing; a
 * renamed node's under its new id). A removed connection from a handle its node no longer
 * has (a branch's condition taken away) is drawn from that handle all the same: `goneHandles`
 * names them by node, for the drawing to add and mark.
 */
export function mergedDrawing(
  before: WorkflowDocument,
  after: WorkflowDocument,
  d: DocumentDiff = diffDocuments(before, after),
): { document: WorkflowDocument; removedEdges: Set<string>; addedEdges: Set<string>; goneHandles: Map<string, string[]> } {
  const nodes = [...(Array.isArray(after.nodes) ? after.nodes : []).filter((n) => isObject(n) && typeof n.id === "string"), ...d.removed];
  const present = new Set(nodes.map((n) => n.id));
  const added = new Set(d.edgesAdded.map(connectionKey));
  const edges: Edge[] = [];
  const addedEdges = new Set<string>();
  const removedEdges = new Set<string>();
  const seen = new Set<string>();
  for (const e of byConnection(after.edges).values()) {
    if (!present.has(e.source) || !present.has(e.target)) continue;
    const id = `now:${e.id}`;
    edges.push({ ...e, id });
    seen.add(id);
    if (added.has(connectionKey(e))) addedEdges.add(id);
  }
  const renamedFrom = new Map(d.renamed.map((r) => [r.from, r.to]));
  const newer = byId(after.nodes);
  const goneHandles = new Map<string, string[]>();
  for (const removed of d.edgesRemoved) {
    const e = { ...removed, source: renamedFrom.get(removed.source) ?? removed.source, target: renamedFrom.get(removed.target) ?? removed.target };
    if (!present.has(e.source) || !present.has(e.target)) continue;
    let id = `was:${e.id}`;
    for (let i = 2; seen.has(id); i++) id = `was:${e.id}:${i}`;
    seen.add(id);
    edges.push({ ...e, id });
    removedEdges.add(id);
    const node = newer.get(e.source);
    const handle = e.sourceHandle ?? "";
    if (node && !handlesFor(node).some((h) => h.id === handle)) {
      const gone = goneHandles.get(e.source) ?? [];
      if (!gone.includes(handle)) goneHandles.set(e.source, [...gone, handle]);
    }
  }
  return { document: { ...after, nodes, edges }, removedEdges, addedEdges, goneHandles };
}
