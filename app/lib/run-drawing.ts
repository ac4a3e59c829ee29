// What the run page draws beside the run, made on the server once per version (a version never
// changes): where ELK puts the nodes the document does not place (so the page opens drawn,
// without loading ELK in the browser), and each node's block of the version's generated code
// (the compiler's map from node id to line ranges), for a node's details.

import type { Position, WorkflowDocument } from "../../compiler/document.ts";
import { nodeLineRanges } from "../../compiler/node-lines.ts";
import { layout, needsLayout } from "../../designer/layout.ts";

/** A block of generated code: its first line's number and its lines. */
export interface CodeBlock {
  start: number;
  lines: string[];
}

export interface RunDrawing {
  positions?: Record<string, Position>;
  code: Record<string, CodeBlock[]>;
}

const MAX_CACHED = 100;
const cache = new Map<string, Promise<RunDrawing>>();

/** The drawing's layout and code blocks for version `key` ("name@version"), remembered. */
export function runDrawing(key: string, document: WorkflowDocument, code: string | undefined): Promise<RunDrawing> {
  let found = cache.get(key);
  if (!found) {
    found = make(document, code).catch((err) => {
      cache.delete(key);
      throw err;
    });
    cache.set(key, found);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
  return found;
}

async function make(document: WorkflowDocument, code: string | undefined): Promise<RunDrawing> {
  const nodes = Array.isArray(document.nodes) ? document.nodes : [];
  const blocks: Record<string, CodeBlock[]> = {};
  if (code) {
    const lines = code.split("\n");
    for (const [id, ranges] of nodeLineRanges(code, nodes.map((n) => n.id))) {
      blocks[id] = ranges.map((r) => ({ start: r.start, lines: lines.slice(r.start - 1, r.end) }));
    }
  }
  const positions = nodes.length > 0 && needsLayout(document) ? Object.fromEntries(await layout(document)) : undefined;
  return { ...(positions ? { positions } : {}), code: blocks };
}
