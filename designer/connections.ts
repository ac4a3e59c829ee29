// Which connections a handle may have, with the reason when it may not: the canvas asks while a
// connection is being dragged (and refuses it, saying why), the keyboard's Connect command asks
// before it acts. The rules are the compiler's wiring checks, asked early.

import { PLAIN_HANDLE, type WorkflowDocument, type WorkflowNode } from "../compiler/document.ts";
import { handlesFor, kindOf, nodeName, NODE_KINDS } from "./catalogue.ts";

export interface Connection {
  source: string;
  /** "" or null/undefined: the plain handle. */
  sourceHandle?: string | null;
  target: string;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

const handleName = (h: string) => (h === PLAIN_HANDLE ? "its way out" : `its “${h}” handle`);

export function nodeById(doc: WorkflowDocument, id: string): WorkflowNode | undefined {
  return doc.nodes.find((n) => n && (n as { id?: unknown }).id === id);
}

export function canConnect(doc: WorkflowDocument, c: Connection): Verdict {
  const source = nodeById(doc, c.source);
  const target = nodeById(doc, c.target);
  if (!source || !target) return { ok: false, reason: "Both ends must be nodes of this workflow." };
  const handle = c.sourceHandle ?? PLAIN_HANDLE;
  const sourceKind = kindOf(source.type);
  const targetKind = kindOf(target.type);
  if (!sourceKind || !targetKind) return { ok: false, reason: "A node of an unknown kind cannot be connected." };
  if (source.type === "end") return { ok: false, reason: `${nodeName(source)} is an End: the run stops there, so nothing leads on from it.` };
  if (!targetKind.hasInput) return { ok: false, reason: `Nothing may lead into ${NODE_KINDS.start.title}: every run begins there.` };
  if (c.source === c.target) return { ok: false, reason: `${nodeName(source)} cannot lead to itself: put a Timer or another node in between to loop.` };
  const handles = handlesFor(source);
  if (!handles.some((h) => h.id === handle)) {
    const names = handles.map((h) => (h.id === PLAIN_HANDLE ? "its plain handle" : `“${h.id}”`));
    return { ok: false, reason: `${nodeName(source)} has no “${handle || "plain"}” handle; a ${sourceKind.title} leaves from ${names.join(", ") || "nowhere"}.` };
  }
  const taken = doc.edges.find((e) => e && e.source === c.source && (e.sourceHandle ?? PLAIN_HANDLE) === handle);
  if (taken) {
    const to = nodeById(doc, taken.target);
    return { ok: false, reason: `${nodeName(source)} already leads to ${nodeName(to, taken.target)} from ${handleName(handle)}: each handle leads one way. Delete that connection first.` };
  }
  return { ok: true };
}

/** The handles of a node that have no edge yet, in the kind's order. */
export function freeHandles(doc: WorkflowDocument, nodeId: string): string[] {
  const node = nodeById(doc, nodeId);
  if (!node) return [];
  const used = new Set(doc.edges.filter((e) => e && e.source === nodeId).map((e) => e.sourceHandle ?? PLAIN_HANDLE));
  return handlesFor(node)
    .map((h) => h.id)
    .filter((h) => !used.has(h));
}
