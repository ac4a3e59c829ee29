// A document as React Flow's nodes and edges, and back. The canvas is a view: each canvas node
// carries its document node unchanged (position aside, which React Flow owns while dragging),
// so document → canvas → document is the identity, key order included. Whatever the canvas
// cannot draw (an item without an id, say) rides along hidden, in its place, and comes back.

import type { Edge, Position, WorkflowDocument, WorkflowNode } from "../compiler/document.ts";
import { handlesFor, kindOf, nodeName, type HandleSpec } from "./catalogue.ts";

/** The data of a canvas node (React Flow's `node.data`). */
export interface NodeData extends Record<string, unknown> {
  /** The document's node as it is, position included when it had one. */
  node: WorkflowNode;
  /** The node's name on the drawing: label, else id. */
  name: string;
  handles: HandleSpec[];
  /** Where a node without a position in the document is drawn (a layout's, else a column). */
  placeholder?: Position;
  /** Set for an item of the document's nodes that the canvas cannot show. */
  raw?: unknown;
}

export interface EdgeData extends Record<string, unknown> {
  edge: Edge;
  raw?: unknown;
}

/** Structurally React Flow's Node<NodeData>: the canvas passes these to <ReactFlow> as they are. */
export interface CanvasNode {
  id: string;
  type: "weft";
  position: Position;
  data: NodeData;
  hidden?: boolean;
  selected?: boolean;
  ariaLabel?: string;
  deletable?: boolean;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  data: EdgeData;
  hidden?: boolean;
  selected?: boolean;
}

export interface Canvas {
  /** The document without its nodes and edges (name, title, inputSchema, anything else). */
  meta: Omit<WorkflowDocument, "nodes" | "edges"> & Record<string, unknown>;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  /** The document's keys in their order. */
  keys: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isPosition = (p: unknown): p is Position => isObject(p) && typeof p.x === "number" && typeof p.y === "number" && Number.isFinite(p.x) && Number.isFinite(p.y);

/** Where a node without a position is drawn until a layout places it: a column, by index. */
export function placeholderPosition(index: number): Position {
  return { x: 0, y: index * 120 };
}

/** Positions for the nodes the document does not place (a layout kept in the view only). */
export type Placeholders = ReadonlyMap<string, Position>;

export function toCanvasNode(item: unknown, index: number, placeholders?: Placeholders): CanvasNode {
  if (!isObject(item) || typeof item.id !== "string" || item.id === "") {
    const id = `\u0000item-${index}`;
    return { id, type: "weft", position: placeholderPosition(index), hidden: true, deletable: false, data: { node: { id, type: "start" }, name: id, handles: [], raw: item } };
  }
  const node = item as unknown as WorkflowNode;
  const placed = isPosition(node.position);
  const name = nodeName(node);
  const placeholder = placed ? undefined : (placeholders?.get(node.id) ?? placeholderPosition(index));
  return {
    id: node.id,
    type: "weft",
    position: placed ? { x: node.position!.x, y: node.position!.y } : { ...placeholder! },
    ariaLabel: name,
    deletable: node.type !== "start",
    data: { node, name, handles: kindOf(node.type) ? handlesFor(node) : [], ...(placeholder ? { placeholder } : {}) },
  };
}

export function toCanvasEdge(item: unknown, index: number): CanvasEdge {
  if (!isObject(item) || typeof item.id !== "string" || typeof item.source !== "string" || typeof item.target !== "string") {
    const id = `\u0000edge-${index}`;
    return { id, source: "", target: "", hidden: true, data: { edge: { id, source: "", target: "" }, raw: item } };
  }
  const edge = item as unknown as Edge;
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    sourceHandle: typeof edge.sourceHandle === "string" && edge.sourceHandle !== "" ? edge.sourceHandle : null,
    data: { edge },
  };
}

export function toCanvas(doc: WorkflowDocument, placeholders?: Placeholders): Canvas {
  const { nodes, edges, ...meta } = doc;
  return {
    meta: meta as Canvas["meta"],
    nodes: Array.isArray(nodes) ? nodes.map((n, i) => toCanvasNode(n, i, placeholders)) : [],
    edges: Array.isArray(edges) ? edges.map(toCanvasEdge) : [],
    keys: Object.keys(doc),
  };
}

/** A canvas node back as the document's node: its data, with the position React Flow holds. */
export function fromCanvasNode(n: CanvasNode): unknown {
  if ("raw" in n.data) return n.data.raw;
  const node = n.data.node;
  const at = { x: n.position.x, y: n.position.y };
  if (n.data.placeholder) return samePosition(at, n.data.placeholder) ? node : { ...node, position: at };
  return node.position && samePosition(node.position, at) ? node : { ...node, position: at };
}

function samePosition(a: Position, b: Position): boolean {
  return a.x === b.x && a.y === b.y;
}

export function fromCanvasEdge(e: CanvasEdge): unknown {
  if ("raw" in e.data) return e.data.raw;
  const edge = e.data.edge;
  const handle = e.sourceHandle || undefined;
  if (edge.source === e.source && edge.target === e.target && (edge.sourceHandle || undefined) === handle) return edge;
  const { sourceHandle: _old, ...rest } = edge;
  return { ...rest, source: e.source, target: e.target, ...(handle ? { sourceHandle: handle } : {}) };
}

export function fromCanvas(canvas: Canvas): WorkflowDocument {
  const parts: Record<string, unknown> = { ...canvas.meta, nodes: canvas.nodes.map(fromCanvasNode), edges: canvas.edges.map(fromCanvasEdge) };
  // The document's own key order, so that an export reads like the file it came from.
  const order = [...canvas.keys, ...Object.keys(parts).filter((k) => !canvas.keys.includes(k))];
  return Object.fromEntries(order.filter((k) => k in parts).map((k) => [k, parts[k]])) as unknown as WorkflowDocument;
}
