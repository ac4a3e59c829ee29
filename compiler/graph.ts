// The drawing as a graph: nodes by id, outgoing edges by handle, in an order that depends only
// on the document's meaning (never on the order of the arrays), so that everything built on it
// is deterministic.

import { handlesOf, PLAIN_HANDLE, type Edge, type WorkflowDocument, type WorkflowNode } from "./document.ts";

export interface Out {
  handle: string;
  target: string;
  edge: Edge;
}

export interface Graph {
  nodes: Map<string, WorkflowNode>;
  /** Node ids sorted. */
  ids: string[];
  start: string | undefined;
  /** Outgoing edges of each node, in the node kind's handle order (see handleOrder). */
  out: Map<string, Out[]>;
  /** Ids of the nodes with an edge into each node, sorted. */
  preds: Map<string, string[]>;
}

export function handleOf(edge: Edge): string {
  return edge.sourceHandle ?? PLAIN_HANDLE;
}

/** The order in which a node's handles are considered: the order its kind declares them. */
function handleRank(node: WorkflowNode, handle: string): number {
  const index = handlesOf(node).allowed.indexOf(handle);
  return index === -1 ? Number.MAX_SAFE_INTEGER : index;
}

/**
 * Builds the graph of a document whose ids are unique and whose edges point at known nodes
 * (validate.ts reports the rest); offending edges are left out rather than trusted.
 */
export function buildGraph(doc: WorkflowDocument): Graph {
  const nodes = new Map<string, WorkflowNode>();
  for (const node of doc.nodes) if (!nodes.has(node.id)) nodes.set(node.id, node);
  const ids = [...nodes.keys()].sort(compareStrings);
  const out = new Map<string, Out[]>(ids.map((id) => [id, []]));
  const predSets = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  for (const edge of doc.edges) {
    const source = nodes.get(edge.source);
    if (!source || !nodes.has(edge.target)) continue;
    out.get(edge.source)!.push({ handle: handleOf(edge), target: edge.target, edge });
    predSets.get(edge.target)!.add(edge.source);
  }
  for (const [id, list] of out) {
    const node = nodes.get(id)!;
    list.sort(
      (a, b) =>
        handleRank(node, a.handle) - handleRank(node, b.handle) ||
        compareStrings(a.handle, b.handle) ||
        compareStrings(a.target, b.target) ||
        compareStrings(a.edge.id, b.edge.id),
    );
  }
  const preds = new Map([...predSets].map(([id, set]) => [id, [...set].sort(compareStrings)]));
  const starts = ids.filter((id) => nodes.get(id)!.type === "start");
  return { nodes, ids, start: starts[0], out, preds };
}

/** The edge leaving a node by a handle, if any (the first, when a document wrongly has two). */
export function successor(graph: Graph, id: string, handle: string): string | undefined {
  return graph.out.get(id)?.find((o) => o.handle === handle)?.target;
}

/** Distinct successors of a node, in handle order. */
export function successors(graph: Graph, id: string): string[] {
  const seen: string[] = [];
  for (const o of graph.out.get(id) ?? []) if (!seen.includes(o.target)) seen.push(o.target);
  return seen;
}

/** Nodes reachable from start, in depth-first preorder. */
export function reachable(graph: Graph): string[] {
  const order: string[] = [];
  if (!graph.start) return order;
  const seen = new Set<string>();
  const stack = [graph.start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    const next = successors(graph, id);
    for (let i = next.length - 1; i >= 0; i--) if (!seen.has(next[i])) stack.push(next[i]);
  }
  return order;
}

/** Byte-wise comparison, independent of the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
