// The drawing as a tree, for the outline beside the canvas (and screen readers): from start,
// each node's successors in its handles' order, each under the handle it leaves by; a node
// reached again is a reference ("continues at", "back to") rather than a copy, so loops and
// joins read as they are drawn. Nodes no path reaches are listed after.

import { PLAIN_HANDLE, type WorkflowDocument, type WorkflowNode } from "../compiler/document.ts";
import { handlesFor, nodeName } from "./catalogue.ts";

export interface OutlineItem {
  id: string;
  name: string;
  type: string;
  /** The handle it is reached by from its parent ("" plain; undefined at the top). */
  via?: string;
  /** Set when the node is shown elsewhere already: "back" (a loop) or "join". */
  ref?: "back" | "join";
  children: OutlineItem[];
}

export function outline(doc: WorkflowDocument): OutlineItem[] {
  const nodes = new Map<string, WorkflowNode>();
  for (const n of doc.nodes) if (n && typeof n.id === "string" && !nodes.has(n.id)) nodes.set(n.id, n);
  const out = new Map<string, { handle: string; target: string }[]>();
  for (const e of doc.edges) {
    if (!e || !nodes.has(e.source) || !nodes.has(e.target)) continue;
    const list = out.get(e.source) ?? [];
    list.push({ handle: e.sourceHandle ?? PLAIN_HANDLE, target: e.target });
    out.set(e.source, list);
  }
  const order = (id: string) => {
    const handles = handlesFor(nodes.get(id)!).map((h) => h.id);
    return [...(out.get(id) ?? [])].sort((a, b) => rank(handles, a.handle) - rank(handles, b.handle));
  };
  const shown = new Set<string>();
  const item = (id: string, via: string | undefined, path: ReadonlySet<string>): OutlineItem => {
    const n = nodes.get(id)!;
    const base = { id, name: nodeName(n), type: String(n.type), ...(via === undefined ? {} : { via }) };
    if (shown.has(id)) return { ...base, ref: path.has(id) ? "back" : "join", children: [] };
    shown.add(id);
    const inner = new Set(path).add(id);
    return { ...base, children: order(id).map((o) => item(o.target, o.handle, inner)) };
  };
  const roots: OutlineItem[] = [];
  const start = [...nodes.values()].find((n) => n.type === "start");
  if (start) roots.push(item(start.id, undefined, new Set()));
  for (const id of nodes.keys()) if (!shown.has(id)) roots.push(item(id, undefined, new Set()));
  return roots;
}

function rank(handles: string[], handle: string): number {
  const i = handles.indexOf(handle);
  return i === -1 ? handles.length : i;
}
