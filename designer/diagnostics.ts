// The compiler's diagnostics as the designer shows them: by node and edge (each canvas element
// gets its own), and as the Problems list, each item naming what it concerns by its label.

import type { Diagnostic } from "../compiler/diagnostics.ts";
import type { WorkflowDocument } from "../compiler/document.ts";
import { nodeName } from "./catalogue.ts";

export interface Problem {
  /** The node's or edge's id, or the document's name. */
  id: string;
  on: "node" | "edge" | "document";
  /** What the item is named by: a node's label (id when none), an edge's "from → to". */
  name: string;
  field?: string;
  message: string;
  code: string;
}

export interface DiagnosticsByElement {
  nodes: Map<string, Diagnostic[]>;
  edges: Map<string, Diagnostic[]>;
  /** About the document as a whole (its name, its input schema, a missing start). */
  document: Diagnostic[];
  problems: Problem[];
}

export function byElement(doc: WorkflowDocument, diagnostics: readonly Diagnostic[]): DiagnosticsByElement {
  const nodeMap = new Map(doc.nodes.filter((n) => n && typeof n.id === "string").map((n) => [n.id, n]));
  const edgeMap = new Map(doc.edges.filter((e) => e && typeof e.id === "string").map((e) => [e.id, e]));
  const result: DiagnosticsByElement = { nodes: new Map(), edges: new Map(), document: [], problems: [] };
  for (const d of diagnostics) {
    const node = nodeMap.get(d.id);
    const edge = node ? undefined : edgeMap.get(d.id);
    if (node) push(result.nodes, d.id, d);
    else if (edge) push(result.edges, d.id, d);
    else result.document.push(d);
    const name = node
      ? nodeName(node)
      : edge
        ? `${d.id} (${nodeName(nodeMap.get(edge.source), edge.source)} → ${nodeName(nodeMap.get(edge.target), edge.target)})`
        : d.id;
    result.problems.push({ id: d.id, on: node ? "node" : edge ? "edge" : "document", name, field: d.field, message: d.message, code: d.code });
  }
  return result;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
