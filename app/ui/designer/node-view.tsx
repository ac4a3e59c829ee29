"use client";
// A node on the canvas: its kind's icon and name, its label (or id), its one telling detail,
// an input handle on top (all but start) and its named handles along the bottom, and its
// problems. Memoised; the canvas declares it in `nodeTypes` at module scope.

import { Handle, Position, type NodeProps, type Node } from "@xyflow/react";
import Link from "next/link";
import { memo } from "react";
import { kindOf } from "../../../designer/catalogue.ts";
import type { NodeData } from "../../../designer/canvas.ts";
import type { WaitBadge } from "../../../designer/waits.ts";
import { KindIcon } from "./icons.tsx";

export type WeftNodeData = NodeData & {
  problems?: string[];
  /** How many open runs would break here if the drawing were deployed (the pre-deploy check). */
  breaking?: number;
  /** The open runs waiting here (designer/waits.ts); absent where none wait. */
  waits?: WaitBadge;
  /** What the canvas compares to reuse the node's object. */
  key?: string;
};
export type WeftNode = Node<WeftNodeData, "weft">;

export function detailOf(node: NodeData["node"]): string | undefined {
  const n = node as unknown as Record<string, unknown>;
  switch (node.type) {
    case "step":
      return typeof n.activity === "string" && n.activity ? n.activity : "no activity yet";
    case "timer":
      return typeof n.duration === "string" ? `waits ${n.duration}` : typeof n.until === "string" ? "until a time" : undefined;
    case "approval":
      return Array.isArray(n.assignees) && n.assignees.length ? `by ${n.assignees.join(", ")}` : undefined;
    case "signal":
      return typeof n.signal === "string" ? `waits for “${n.signal}”` : undefined;
    case "end":
      return n.status === "failed" ? "fails the run" : "completes the run";
    default:
      return undefined;
  }
}

/**
 * A node's named handles along its bottom, spread evenly, each labelled. On the designer's
 * canvas they start connections; on the read-only drawings (a run, a comparison) they only
 * anchor them.
 */
export function OutHandles({ handles, connectable, gone = [] }: { handles: NodeData["handles"]; connectable: boolean; gone?: readonly string[] }) {
  // A comparison's node draws after its own handles those only the older version had (`gone`).
  const all = gone.length ? [...handles, ...gone.map((id) => ({ id, label: id, required: false }))] : handles;
  return all.map((h, i) => (
    <Handle
      key={h.id || "plain"}
      type="source"
      position={Position.Bottom}
      id={h.id || undefined}
      isConnectable={connectable ? undefined : false}
      className={`whandle whandle-out${h.id ? " whandle-named" : ""}${i >= handles.length ? " whandle-gone" : ""}`}
      style={{ left: `${((i + 1) / (all.length + 1)) * 100}%` }}
      title={connectable ? (h.id ? `${h.id}: drag to connect` : "drag to connect") : undefined}
    >
      {h.label ? <span className="whandle-label">{h.label}</span> : null}
    </Handle>
  ));
}

function NodeViewImpl({ data, selected }: NodeProps<WeftNode>) {
  const kind = kindOf(data.node.type);
  const detail = detailOf(data.node);
  const problems = data.problems ?? [];
  return (
    <div className={`wnode wnode-${data.node.type}${selected ? " is-selected" : ""}${problems.length ? " has-problem" : ""}${data.breaking ? " is-breaking" : ""}`}>
      {kind?.hasInput !== false ? <Handle type="target" position={Position.Top} className="whandle whandle-in" /> : null}
      <div className="wnode-head">
        <KindIcon name={kind?.icon ?? "gear"} />
        <span className="wnode-kind">{kind?.title ?? String(data.node.type)}</span>
        {data.breaking ? (
          <span className="wnode-breaking">
            {data.breaking} {data.breaking === 1 ? "run breaks" : "runs break"} here
          </span>
        ) : null}
        {problems.length ? (
          <span className="wnode-problem" title={problems.join("\n")}>
            {problems.length} {problems.length === 1 ? "problem" : "problems"}
          </span>
        ) : null}
      </div>
      <div className="wnode-name">{data.name}</div>
      {detail ? <div className="wnode-detail">{detail}</div> : null}
      {data.waits ? (
        <>
          <Link href={data.waits.href} className="wnode-waits-link nodrag nopan" aria-label={data.waits.label}>
            {data.waits.text}
          </Link>
          {data.waits.stuck ? <p className="wnode-stuck">{data.waits.stuck}</p> : null}
        </>
      ) : null}
      <OutHandles handles={data.handles} connectable />
    </div>
  );
}

export const NodeView = memo(NodeViewImpl);
