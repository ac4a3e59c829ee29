"use client";
// A node of the comparison's drawing: its kind and name as on the canvas, and what became of
// it (added, removed, changed, moved, renamed) in words as well as in colour, and the handles
// of its removed connections that it no longer has, struck through. Read-only; memoised, and
// declared in `nodeTypes` at module scope by the drawing.

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { NodeData } from "../../../designer/canvas.ts";
import { kindOf } from "../../../designer/catalogue.ts";
import type { NodeFate } from "../../../designer/diff.ts";
import { KindIcon } from "./icons.tsx";
import { OutHandles } from "./node-view.tsx";

export type CompareNodeData = NodeData & {
  fate: NodeFate;
  /** The labels of the fields that changed, for a changed node. */
  changed?: string[];
  /** Chosen in the list of changes. */
  focused?: boolean;
  /** Handles only the older version has, kept (and marked) for its removed connections. */
  gone?: readonly string[];
};
export type CompareNode = Node<CompareNodeData, "compare">;

export const FATE_WORDS: Record<NodeFate, string> = { added: "Added", removed: "Removed", changed: "Changed", moved: "Moved", renamed: "Renamed", same: "" };

function CompareNodeViewImpl({ data }: NodeProps<CompareNode>) {
  const kind = kindOf(data.node.type);
  return (
    <div className={`wnode wnode-${data.node.type} cnode cnode-${data.fate}${data.focused ? " is-focused" : ""}`}>
      {kind?.hasInput !== false ? <Handle type="target" position={Position.Top} className="whandle whandle-in" isConnectable={false} /> : null}
      <div className="wnode-head">
        <KindIcon name={kind?.icon ?? "gear"} />
        <span className="wnode-kind">{kind?.title ?? String(data.node.type)}</span>
        {data.fate !== "same" ? <span className={`cnode-tag cnode-tag-${data.fate}`}>{FATE_WORDS[data.fate]}</span> : null}
      </div>
      <div className="wnode-name">{data.name}</div>
      {data.changed?.length ? <div className="wnode-detail cnode-fields">{data.changed.join(", ")}</div> : null}
      <OutHandles handles={data.handles} connectable={false} gone={data.gone} />
    </div>
  );
}

export const CompareNodeView = memo(CompareNodeViewImpl);
