// The document's hash covers what it means, not how it is drawn: positions, labels and titles
// are left out, and the order of nodes, edges and object keys does not count.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { JsonValue, WorkflowDocument } from "./document.ts";
import { handleOf } from "./graph.ts";
import { compareStrings } from "./graph.ts";

/** The semantic content of a document as canonical JSON (sorted keys, sorted nodes and edges). */
export function semanticContent(doc: WorkflowDocument): string {
  const nodes = doc.nodes
    .map(({ label: _label, position: _position, ...rest }) => rest)
    .sort((a, b) => compareStrings(a.id, b.id));
  // Edge ids name an edge in errors but do not change what a run does.
  const edges = doc.edges
    .map((e) => ({ source: e.source, handle: handleOf(e), target: e.target }))
    .sort((a, b) => compareStrings(a.source, b.source) || compareStrings(a.handle, b.handle) || compareStrings(a.target, b.target));
  return canonicalJson({ name: doc.name, inputSchema: doc.inputSchema ?? null, nodes, edges } as unknown as JsonValue);
}

export function documentHash(doc: WorkflowDocument): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(semanticContent(doc))))}`;
}

export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
