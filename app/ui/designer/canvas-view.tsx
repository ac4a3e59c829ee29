"use client";
// The canvas: React Flow on the document's nodes and edges, with selection, problems, the
// pre-deploy check's marks and where runs wait. Its own component, memoised, holding the node
// objects React Flow moves: a drag changes positions many times a second, and re-renders only
// this, not the palette, problems, inspector and code around it (a drag ends as one edit).

import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  useStoreApi,
  useUpdateNodeInternals,
  type Connection as FlowConnection,
  type Edge as FlowEdge,
  type EdgeChange,
  type NodeChange,
  type NodeTypes,
} from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Canvas } from "../../../designer/canvas.ts";
import type { DiagnosticsByElement } from "../../../designer/diagnostics.ts";
import type { WaitBadges } from "../../../designer/waits.ts";
import { AFTER_DRAWN_MS, AT_THE_LATEST_MS, whenIdle } from "./idle.ts";
import { NodeView, type WeftNode } from "./node-view.tsx";

// At module scope, so React Flow never sees a new object (it would remount every node).
const nodeTypes: NodeTypes = { weft: NodeView };
const proOptions = { hideAttribution: true };
const SNAP: [number, number] = [8, 8];
const DELETE_KEYS = ["Delete", "Backspace"];
const BLANK_VIEWPORT = { x: 220, y: 40, zoom: 1 };
const FIT_VIEW = { padding: 0.2, maxZoom: 1 };

export interface CanvasViewProps {
  canvas: Canvas;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  by: Pick<DiagnosticsByElement, "nodes" | "edges">;
  breaking: ReadonlyMap<string, number>;
  badges: WaitBadges | undefined;
  canEdit: boolean;
  /** A drawn document is fitted into view; a new one starts at the top. */
  fitView: boolean;
  onSelectNodes: (change: (selected: ReadonlySet<string>) => ReadonlySet<string>) => void;
  onSelectEdges: (change: (selected: ReadonlySet<string>) => ReadonlySet<string>) => void;
  onNodeDragStop: (event: unknown, node: WeftNode, dragged: WeftNode[]) => void;
  onConnect: (c: FlowConnection) => void;
  isValidConnection: (c: FlowConnection | FlowEdge) => boolean;
  onDelete: (deleted: { nodes: WeftNode[]; edges: FlowEdge[] }) => void;
  /** Called once, when React Flow has first measured the nodes (they are drawn). */
  onDrawn?: () => void;
}

const toggled = (changes: { id: string; selected: boolean }[]) => (s: ReadonlySet<string>) => {
  const next = new Set(s);
  for (const c of changes) (c.selected ? next.add(c.id) : next.delete(c.id));
  return next;
};

/** What the canvas's nodes are made from; a change of any of them remakes the nodes that it changes. */
interface NodeInputs {
  canvas: Canvas;
  selectedNodes: ReadonlySet<string>;
  by: Pick<DiagnosticsByElement, "nodes" | "edges">;
  breaking: ReadonlyMap<string, number>;
  badges: WaitBadges | undefined;
}

const sameInputs = (a: NodeInputs, b: NodeInputs) => a.canvas === b.canvas && a.selectedNodes === b.selectedNodes && a.by === b.by && a.breaking === b.breaking && a.badges === b.badges;

/**
 * The document's nodes, with selection, problems and measured sizes; a node whose inputs did
 * not change keeps its object (and its position and size as React Flow last set them), so that
 * React Flow and the memoised NodeView skip it.
 */
function mergeNodes(prev: readonly WeftNode[], { canvas, selectedNodes, by, breaking, badges }: NodeInputs): WeftNode[] {
  const before = new Map(prev.map((n) => [n.id, n]));
  return canvas.nodes.map((cn) => {
    const p = before.get(cn.id);
    const selected = selectedNodes.has(cn.id);
    const problems = by.nodes.get(cn.id)?.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message));
    const breaks = breaking.get(cn.id);
    const wait = badges?.nodes.get(cn.id);
    const key = (problems?.join("\n") ?? "") + (breaks ? `\u0000${breaks}` : "") + (wait ? `\u0000${wait.label}\u0000${wait.stuck ?? ""}` : "");
    const samePlace = p?.data.placeholder === cn.data.placeholder || (p?.data.placeholder && cn.data.placeholder && p.data.placeholder.x === cn.data.placeholder.x && p.data.placeholder.y === cn.data.placeholder.y);
    if (p && p.data.node === cn.data.node && samePlace && p.selected === selected && p.data.key === key) return p;
    return {
      ...cn,
      selected,
      measured: p?.measured,
      className: problems ? "has-problem" : breaks ? "is-breaking" : undefined,
      // A badge reaches above its node: over the node before it, not under.
      zIndex: wait ? 1 : undefined,
      // The contract's landmark: a selected node says so.
      domAttributes: selected ? { "aria-selected": "true" } : {},
      data: { ...cn.data, problems, breaking: breaks, waits: wait, key },
    } as WeftNode;
  });
}

function CanvasViewImpl({ canvas, selectedNodes, selectedEdges, by, breaking, badges, canEdit, fitView, onSelectNodes, onSelectEdges, onNodeDragStop, onConnect, isValidConnection, onDelete, onDrawn }: CanvasViewProps) {
  // The node objects React Flow moves (a drag's positions, measured sizes) live here. They are
  // made again from the inputs while this renders, when any changed, so that an edit reaches
  // React Flow in one render with its edges (an effect would commit the edges first, then the
  // nodes: two updates of React Flow's store, each re-rendering what reads it). The first are
  // made after hydration, as the server drew none.
  const inputs: NodeInputs = { canvas, selectedNodes, by, breaking, badges };
  const [nodes, setNodes] = useState<WeftNode[]>([]);
  const [made, setMade] = useState<NodeInputs | null>(null);
  useEffect(() => {
    setMade(inputs);
    setNodes((prev) => mergeNodes(prev, inputs));
    // Once, after hydration; later changes are taken while rendering (below).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (made && !sameInputs(made, inputs)) {
    setMade(inputs);
    setNodes((prev) => mergeNodes(prev, inputs));
  }

  // A node React Flow has the size of but not the places of its handles has its connections
  // left undrawn, and nothing measures it again while its size stays: seen once in a few dozen
  // drops of a node followed at once by a connection to it. Such a node is measured again.
  const flow = useStoreApi<WeftNode, FlowEdge>();
  const measureAgain = useUpdateNodeInternals();
  useEffect(() => {
    const lost: string[] = [];
    for (const n of flow.getState().nodeLookup.values()) if (n.measured.width !== undefined && !n.internals.handleBounds) lost.push(n.id);
    if (lost.length) measureAgain(lost);
  }, [nodes, flow, measureAgain]);

  // An edge whose inputs did not change keeps its object too (React Flow re-renders an edge
  // whose object is new), and the list keeps its array when no edge changed.
  const edgeCache = useRef<{ list: FlowEdge[]; byId: Map<string, FlowEdge> }>({ list: [], byId: new Map() });
  const edges: FlowEdge[] = useMemo(() => {
    const before = edgeCache.current;
    const byId = new Map<string, FlowEdge>();
    let changed = before.list.length !== canvas.edges.length;
    const list = canvas.edges.map((ce, i) => {
      const problems = by.edges.get(ce.id);
      const selected = selectedEdges.has(ce.id);
      const className = problems ? "has-problem" : undefined;
      const p = before.byId.get(ce.id);
      const edge =
        p && p.data?.edge === ce.data.edge && p.source === ce.source && p.target === ce.target && p.sourceHandle === ce.sourceHandle && p.hidden === ce.hidden && p.selected === selected && p.className === className
          ? p
          : ({
              ...ce,
              selected,
              className,
              ariaLabel: `Connection from ${ce.source}${ce.sourceHandle ? ` (${ce.sourceHandle})` : ""} to ${ce.target}`,
            } as FlowEdge);
      if (edge !== before.list[i]) changed = true;
      byId.set(ce.id, edge);
      return edge;
    });
    edgeCache.current = { list: changed ? list : before.list, byId };
    return edgeCache.current.list;
  }, [canvas, selectedEdges, by]);

  // The mini map (a second drawing of every node) comes once the canvas is drawn and the page
  // idle, not in the same moment as the canvas's first drawing.
  const [mapShown, setMapShown] = useState(false);
  const mapTimer = useRef<() => void>(() => undefined);
  useEffect(() => {
    mapTimer.current = whenIdle(() => setMapShown(true), AT_THE_LATEST_MS);
    return () => mapTimer.current();
  }, []);

  const drawn = useRef(false);
  const onNodesChange = useCallback(
    (changes: NodeChange<WeftNode>[]) => {
      const select = changes.filter((c) => c.type === "select");
      if (select.length) onSelectNodes(toggled(select));
      const rest = changes.filter((c) => c.type === "position" || c.type === "dimensions");
      if (rest.length) setNodes((ns) => applyNodeChanges(rest, ns));
      if (!drawn.current && rest.some((c) => c.type === "dimensions")) {
        drawn.current = true;
        onDrawn?.();
        mapTimer.current();
        mapTimer.current = whenIdle(() => setMapShown(true), AFTER_DRAWN_MS);
      }
    },
    [onSelectNodes, onDrawn],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const select = changes.filter((c) => c.type === "select");
      if (select.length) onSelectEdges(toggled(select));
    },
    [onSelectEdges],
  );

  return (
    <ReactFlow<WeftNode, FlowEdge>
      aria-label="Canvas"
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onNodeDragStop={onNodeDragStop}
      onConnect={onConnect}
      isValidConnection={isValidConnection}
      onDelete={onDelete}
      deleteKeyCode={canEdit ? DELETE_KEYS : null}
      nodesDraggable={canEdit}
      nodesConnectable={canEdit}
      // Only nodes are groups on the canvas (the landmarks count them); a connection is
      // chosen by mouse, or changed from the keyboard in its node's "Leads to".
      edgesFocusable={false}
      snapToGrid
      snapGrid={SNAP}
      fitView={fitView}
      defaultViewport={BLANK_VIEWPORT}
      fitViewOptions={FIT_VIEW}
      minZoom={0.1}
      proOptions={proOptions}
      colorMode="system"
      onlyRenderVisibleElements={nodes.length > 200}
    >
      <Background gap={16} />
      {mapShown ? <MiniMap pannable zoomable ariaLabel="Mini map" /> : null}
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

export const CanvasView = memo(CanvasViewImpl);
