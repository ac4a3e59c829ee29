// Every edit of a drawing is a pure function from a document to a new document (the old one is
// never changed), so that the undo history is a list of documents and the mouse, the keyboard,
// the inspector and the outline all dispatch the same edits.

import { PLAIN_HANDLE, type Edge, type NodeType, type Position, type WorkflowDocument, type WorkflowNode } from "../compiler/document.ts";
import { kindOf } from "./catalogue.ts";
import { canConnect, type Connection } from "./connections.ts";

export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EditError";
  }
}

/** A new workflow: a start and nothing else (the palette adds the rest). */
export function blankDocument(name: string, title?: string): WorkflowDocument {
  return { name, ...(title ? { title } : {}), nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 } }], edges: [] };
}

const ids = (items: readonly { id?: unknown }[]) => new Set(items.filter((i) => i && typeof i.id === "string").map((i) => i.id as string));

/** An id not yet taken: `prefix`, else `prefix-2`, `prefix-3`… */
export function freshId(taken: ReadonlySet<string>, prefix: string): string {
  const base = prefix.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "node";
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

function freshEdgeId(taken: ReadonlySet<string>): string {
  for (let i = taken.size + 1; ; i++) if (!taken.has(`e${i}`)) return `e${i}`;
}

/** The id a new node of a kind gets: after its activity's last part for a step ("init"), else its kind. */
function idPrefix(type: NodeType, activity?: string): string {
  if (type === "step" && activity) return activity.split(".").pop() || "step";
  return type;
}

export interface AddNodeOptions {
  position?: Position;
  /** For a step: the activity it calls. */
  activity?: string;
  label?: string;
  id?: string;
}

export function addNode(doc: WorkflowDocument, type: NodeType, options: AddNodeOptions = {}): { document: WorkflowDocument; id: string } {
  const kind = kindOf(type);
  if (!kind) throw new EditError(`There is no node kind “${type}”.`);
  const taken = ids(doc.nodes);
  const id = options.id && !taken.has(options.id) ? options.id : freshId(taken, idPrefix(type, options.activity));
  let node = kind.create(id) as WorkflowNode & Record<string, unknown>;
  if (type === "step" && options.activity !== undefined) node = { ...node, activity: options.activity };
  if (options.label) node = { ...node, label: options.label };
  if (options.position) node = { ...node, position: { x: options.position.x, y: options.position.y } };
  return { document: { ...doc, nodes: [...doc.nodes, node] }, id };
}

export function connect(doc: WorkflowDocument, c: Connection): { document: WorkflowDocument; id: string } {
  const verdict = canConnect(doc, c);
  if (!verdict.ok) throw new EditError(verdict.reason);
  const id = freshEdgeId(ids(doc.edges));
  const edge: Edge = { id, source: c.source, target: c.target, ...(c.sourceHandle ? { sourceHandle: c.sourceHandle } : {}) };
  return { document: { ...doc, edges: [...doc.edges, edge] }, id };
}

/** Removes nodes (never the start) with every edge that touches them, and edges. */
export function deleteElements(doc: WorkflowDocument, what: { nodes?: readonly string[]; edges?: readonly string[] }): WorkflowDocument {
  const nodes = new Set((what.nodes ?? []).filter((id) => doc.nodes.some((n) => n.id === id && n.type !== "start")));
  const edges = new Set(what.edges ?? []);
  if (nodes.size === 0 && !doc.edges.some((e) => edges.has(e.id))) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
    edges: doc.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
}

/** Moves nodes to new positions (after a drag, or a layout). */
export function moveNodes(doc: WorkflowDocument, positions: ReadonlyMap<string, Position>): WorkflowDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p || (n.position && n.position.x === p.x && n.position.y === p.y)) return n;
    changed = true;
    return { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } };
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Sets one field of a node; `undefined` removes it. The id is changed with renameNode. */
export function setNodeField(doc: WorkflowDocument, id: string, key: string, value: unknown): WorkflowDocument {
  if (key === "id" || key === "type") throw new EditError(`A node's ${key} is not a field: ${key === "id" ? "rename the node" : "add a node of the other kind"} instead.`);
  const index = doc.nodes.findIndex((n) => n.id === id);
  if (index === -1) throw new EditError(`There is no node “${id}”.`);
  const node = doc.nodes[index] as unknown as Record<string, unknown>;
  if (value === undefined ? !(key in node) : Object.is(node[key], value)) return doc;
  const next: Record<string, unknown> = { ...node };
  if (value === undefined) delete next[key];
  else next[key] = value;
  const nodes = [...doc.nodes];
  nodes[index] = next as unknown as WorkflowNode;
  let edges = doc.edges;
  // A branch condition's handle renamed: its edge follows.
  if (key === "conditions" && node.type === "branch" && Array.isArray(node.conditions) && Array.isArray(value) && value.length === node.conditions.length) {
    const renames = new Map<string, string>();
    node.conditions.forEach((c: { handle?: unknown }, i: number) => {
      const after = (value[i] as { handle?: unknown } | undefined)?.handle;
      if (typeof c?.handle === "string" && typeof after === "string" && after !== c.handle) renames.set(c.handle, after);
    });
    if (renames.size > 0) edges = edges.map((e) => (e.source === id && e.sourceHandle && renames.has(e.sourceHandle) ? { ...e, sourceHandle: renames.get(e.sourceHandle)! } : e));
  }
  return { ...doc, nodes, edges };
}

/** Gives a node another id; its edges follow. */
export function renameNode(doc: WorkflowDocument, id: string, to: string): WorkflowDocument {
  if (id === to) return doc;
  if (!/^\S+$/.test(to)) throw new EditError("An id is one word without spaces.");
  if (doc.nodes.some((n) => n.id === to)) throw new EditError(`“${to}” is the id of another node.`);
  if (!doc.nodes.some((n) => n.id === id)) throw new EditError(`There is no node “${id}”.`);
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === id ? { ...n, id: to } : n)),
    edges: doc.edges.map((e) => (e.source === id || e.target === id ? { ...e, source: e.source === id ? to : e.source, target: e.target === id ? to : e.target } : e)),
  };
}

/** Sets a field of the document itself (title, description, inputSchema); `undefined` removes it. */
export function setDocumentField(doc: WorkflowDocument, key: "title" | "description" | "inputSchema" | "name", value: unknown): WorkflowDocument {
  const current = (doc as unknown as Record<string, unknown>)[key];
  if (Object.is(current, value)) return doc;
  const next: Record<string, unknown> = { ...doc };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next as unknown as WorkflowDocument;
}

/** What a copy holds: nodes and the edges between them, as document JSON. */
export interface Fragment {
  weft: "fragment";
  nodes: WorkflowNode[];
  edges: Edge[];
}

export function copy(doc: WorkflowDocument, nodeIds: readonly string[]): Fragment {
  const chosen = new Set(nodeIds);
  return {
    weft: "fragment",
    nodes: doc.nodes.filter((n) => chosen.has(n.id) && n.type !== "start"),
    edges: doc.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)),
  };
}

export function isFragment(value: unknown): value is Fragment {
  const v = value as Partial<Fragment> | null;
  return !!v && typeof v === "object" && v.weft === "fragment" && Array.isArray(v.nodes) && Array.isArray(v.edges);
}

/** Adds a copy's nodes (with new ids where taken) and edges, moved by `offset`. */
export function paste(doc: WorkflowDocument, fragment: Fragment, offset: Position = { x: 40, y: 40 }): { document: WorkflowDocument; ids: string[] } {
  const taken = ids(doc.nodes);
  const renamed = new Map<string, string>();
  const nodes: WorkflowNode[] = [];
  for (const n of fragment.nodes) {
    if (!n || typeof n.id !== "string" || !kindOf(n.type) || n.type === "start") continue;
    const id = freshId(taken, n.id);
    taken.add(id);
    renamed.set(n.id, id);
    const at = n.position ?? { x: 0, y: 0 };
    nodes.push({ ...n, id, position: { x: at.x + offset.x, y: at.y + offset.y } });
  }
  const edgeIds = ids(doc.edges);
  const edges: Edge[] = [];
  for (const e of fragment.edges) {
    if (!e || !renamed.has(e.source) || !renamed.has(e.target)) continue;
    const id = freshEdgeId(edgeIds);
    edgeIds.add(id);
    edges.push({ ...e, id, source: renamed.get(e.source)!, target: renamed.get(e.target)! });
  }
  return { document: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: [...renamed.values()] };
}

/** A node's outgoing edge along a handle, if any. */
export function edgeFrom(doc: WorkflowDocument, nodeId: string, handle = PLAIN_HANDLE): Edge | undefined {
  return doc.edges.find((e) => e.source === nodeId && (e.sourceHandle ?? PLAIN_HANDLE) === handle);
}

