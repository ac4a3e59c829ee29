// Layout with ELK (layered, top to bottom, edges routed around nodes): for documents without
// positions, and the Tidy command. The result is a map of positions that `moveNodes` applies,
// so a layout is one undoable edit. ELK runs in the caller's thread (its bundled build); a
// 500-node drawing lays out in well under a second.

import ELK from "elkjs/lib/elk.bundled.js";
import type { Position, WorkflowDocument } from "../compiler/document.ts";
import { handlesFor, kindOf } from "./catalogue.ts";

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

let elk: InstanceType<typeof ELK> | undefined;

export async function layout(doc: WorkflowDocument): Promise<Map<string, Position>> {
  elk ??= new ELK();
  const nodes = doc.nodes.filter((n) => n && typeof n.id === "string");
  const known = new Set(nodes.map((n) => n.id));
  const graph = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "56",
      "elk.spacing.nodeNode": "48",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
    },
    children: nodes.map((n) => ({
      id: n.id,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      // Named handles sit left to right in the kind's order, so their edges do not cross.
      ports: kindOf(n.type) ? handlesFor(n).map((h, i) => ({ id: portId(n.id, h.id), layoutOptions: { "elk.port.side": "SOUTH", "elk.port.index": String(i) } })) : [],
      layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
    })),
    edges: doc.edges
      .filter((e) => e && known.has(e.source) && known.has(e.target))
      .map((e) => {
        const node = nodes.find((n) => n.id === e.source)!;
        const hasPort = kindOf(node.type) && handlesFor(node).some((h) => h.id === (e.sourceHandle ?? ""));
        return { id: e.id, sources: [hasPort ? portId(e.source, e.sourceHandle ?? "") : e.source], targets: [e.target] };
      }),
  };
  const placed = await elk.layout(graph);
  const positions = new Map<string, Position>();
  for (const child of placed.children ?? []) positions.set(child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) });
  return positions;
}

function portId(node: string, handle: string): string {
  return `${node}\u0000${handle}`;
}

/** Whether any node lacks a position (then the designer lays the drawing out when it opens). */
export function needsLayout(doc: WorkflowDocument): boolean {
  return doc.nodes.some((n) => n && (typeof n.position?.x !== "number" || typeof n.position?.y !== "number"));
}
