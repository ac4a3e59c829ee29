"use client";
// A run's drawing, read only: the designer's canvas (same positions, same node look; drawings
// without positions laid out by ELK as the designer lays them out) with the run painted on its
// nodes and the connections the run went along drawn bold. Choosing a node (click, or Tab to it
// and Enter) hands its id up, for its details. New paint (a live event, the scrubber) repaints
// the nodes whose paint changed and nothing else: the view is fitted once, when it opens, and
// never moved by the run after that.

import {
  Background,
  Controls,
  ReactFlow,
  ReactFlowProvider,
  applyNodeChanges,
  getNodesBounds,
  getViewportForBounds,
  useNodesInitialized,
  useReactFlow,
  useStoreApi,
  type Edge as FlowEdge,
  type NodeChange,
  type NodeTypes,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { Position, WorkflowDocument } from "../../compiler/document.ts";
import { toCanvas, type Canvas, type Placeholders } from "../../designer/canvas.ts";
import { hasCallout, RunNodeView, type RunMark, type RunNode } from "./run-node.tsx";
import "./designer/designer.css";
import "../operate.css";

// At module scope, so React Flow never sees a new object (it would remount every node).
const nodeTypes: NodeTypes = { weft: RunNodeView };
const proOptions = { hideAttribution: true };
// Room on the left for the zoom controls, which sit over the drawing.
const PADDING = { top: "24px", right: "24px", bottom: "24px", left: "56px" } as const;
/** The callout beside a node (run-node.tsx): its gap and width (15rem), in the drawing's units. */
const CALLOUT = 12 + 240;
const NO_MARKS: Readonly<Record<string, RunMark>> = {};
const AT = new Set(["running", "retrying", "waiting", "held"]);
/** Nodes with a callout beside them: drawn above the others, so that it is read whole. */
const RAISED = new Set([...AT, "failed"]);

export interface RunCanvasProps {
  doc: WorkflowDocument;
  /** Where the nodes without a position in the document go (a layout made on the server). */
  positions?: Readonly<Record<string, Position>>;
  /** The run painted on each node, by node id; a node without one is drawn plain. */
  marks?: Readonly<Record<string, RunMark>>;
  /** The ids of the connections the run went along. */
  taken?: readonly string[];
  /** The node whose details are open. */
  chosen?: string;
  onChoose?: (nodeId: string) => void;
  /** The canvas's accessible name. */
  label: string;
  className?: string;
}

export function RunCanvas(props: RunCanvasProps) {
  const { doc, positions } = props;
  // A drawing without positions that came without a layout is laid out here (ELK loads only then).
  const [laid, setLaid] = useState<Placeholders | undefined>(() => (positions ? new Map(Object.entries(positions)) : undefined));
  // (canvas.ts marks the nodes it had to place; layout.ts, with ELK, is imported only for them.)
  const unplaced = useMemo(() => !positions && toCanvas(doc).nodes.some((n) => n.data.placeholder && !n.hidden), [doc, positions]);
  useEffect(() => {
    if (!unplaced) return;
    let live = true;
    void import("../../designer/layout.ts")
      .then(({ layout }) => layout(doc))
      .then((p) => live && setLaid(p));
    return () => {
      live = false;
    };
  }, [doc, unplaced]);
  if (unplaced && !laid) {
    return (
      <div className={`run-canvas ${props.className ?? ""}`}>
        <p className="muted run-canvas-wait">Drawing…</p>
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Flow {...props} placeholders={laid} />
    </ReactFlowProvider>
  );
}

/** The canvas's nodes: the previous objects kept where nothing changed, so memo skips them. */
function nodesOf(prev: readonly RunNode[], canvas: Canvas, marks: Readonly<Record<string, RunMark>>, chosen: string | undefined): RunNode[] {
  const before = new Map(prev.map((n) => [n.id, n]));
  return canvas.nodes.map((cn) => {
    const p = before.get(cn.id);
    const run = marks[cn.id];
    const selected = cn.id === chosen;
    const key = run ? JSON.stringify(run) : "";
    if (p && p.data.node === cn.data.node && p.data.key === key && p.selected === selected && p.position.x === cn.position.x && p.position.y === cn.position.y) return p;
    const here = run && AT.has(run.state);
    return {
      ...cn,
      selected,
      measured: p?.measured,
      draggable: false,
      connectable: false,
      deletable: false,
      // The contract's landmarks: a chosen node says so; where the run is now, the current step.
      domAttributes: { ...(selected ? { "aria-selected": "true" } : {}), ...(here ? { "aria-current": "step" } : {}) },
      zIndex: run && RAISED.has(run.state) ? 1 : 0,
      data: { ...cn.data, ...(run ? { run } : {}), key },
    } as RunNode;
  });
}

function Flow({ doc, placeholders, marks = NO_MARKS, taken, chosen, onChoose, label, className }: RunCanvasProps & { placeholders?: Placeholders }) {
  const canvas = useMemo(() => toCanvas(doc, placeholders), [doc, placeholders]);
  // The node objects (with the sizes React Flow measured) are made again while this renders when
  // the paint or the choice changed, so that new paint reaches React Flow in the render that
  // brings it (an effect would commit the page first, then the nodes: two commits and two
  // layouts a frame while a run's events stream in).
  const [nodes, setNodes] = useState<RunNode[]>(() => nodesOf([], canvas, marks, chosen));
  const [made, setMade] = useState({ canvas, marks, chosen });
  let shown = nodes;
  if (made.canvas !== canvas || made.marks !== marks || made.chosen !== chosen) {
    shown = nodesOf(nodes, canvas, marks, chosen);
    setMade({ canvas, marks, chosen });
    setNodes(shown);
  }
  // Fitted once, when the nodes are measured, to the nodes and their callouts (which React Flow
  // does not count as the nodes' own); the zoom controls' button fits again.
  const flow = useReactFlow<RunNode, FlowEdge>();
  const store = useStoreApi<RunNode, FlowEdge>();
  const measured = useNodesInitialized();
  const fit = useCallback(() => {
    const shown = flow.getNodes().filter((n) => !n.hidden);
    if (shown.length === 0) return;
    const box = getNodesBounds(shown);
    let right = box.x + box.width;
    for (const n of shown) if (n.data.run && hasCallout(n.data.run)) right = Math.max(right, n.position.x + (n.measured?.width ?? 200) + CALLOUT);
    const { width, height } = store.getState();
    void flow.setViewport(getViewportForBounds({ ...box, width: right - box.x }, width, height, 0.1, 1, PADDING));
  }, [flow, store]);
  const fitted = useRef(false);
  useEffect(() => {
    if (!measured || fitted.current) return;
    fitted.current = true;
    fit();
  }, [measured, fit]);

  const takenKey = taken?.join("\u0000") ?? "";
  const edges: FlowEdge[] = useMemo(() => {
    const went = new Set(takenKey ? takenKey.split("\u0000") : []);
    const name = (id: string) => canvas.nodes.find((n) => n.id === id)?.data.name ?? id;
    return canvas.edges.map((ce) => {
      const isTaken = went.has(ce.id);
      return {
        ...ce,
        selectable: false,
        focusable: false,
        className: taken ? (isTaken ? "is-taken" : "not-taken") : undefined,
        zIndex: isTaken ? 1 : 0,
        ariaLabel: `Connection from ${name(ce.source)}${ce.sourceHandle ? ` (${ce.sourceHandle})` : ""} to ${name(ce.target)}${isTaken ? ", taken by the run" : ""}`,
      } as FlowEdge;
    });
  }, [canvas, takenKey, taken]);

  const onNodesChange = useCallback((changes: NodeChange<RunNode>[]) => {
    const measured = changes.filter((c) => c.type === "dimensions");
    if (measured.length) setNodes((ns) => applyNodeChanges(measured, ns));
  }, []);
  // Choosing is this canvas's own, not React Flow's selection: a click, or Enter or Space on a
  // focused node, opens its details; `chosen` marks it.
  const onNodeClick = useCallback((_: unknown, node: RunNode) => onChoose?.(node.id), [onChoose]);
  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      if (!onChoose || (event.key !== "Enter" && event.key !== " ")) return;
      const id = (event.target as HTMLElement).closest<HTMLElement>(".react-flow__node")?.dataset.id;
      if (id === undefined) return;
      event.preventDefault();
      onChoose(id);
    },
    [onChoose],
  );

  return (
    <div className={`run-canvas ${className ?? ""}`} onKeyDown={onKeyDown}>
      <ReactFlow<RunNode, FlowEdge>
        aria-label={label}
        nodes={shown}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onNodeClick={onChoose ? onNodeClick : undefined}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        // The page scrolls past the drawing; zoom is on the controls.
        zoomOnScroll={false}
        zoomOnDoubleClick={false}
        preventScrolling={false}
        minZoom={0.1}
        proOptions={proOptions}
        colorMode="system"
        onlyRenderVisibleElements={shown.length > 200}
      >
        <Background gap={16} />
        <Controls showInteractive={false} onFitView={fit} />
      </ReactFlow>
    </div>
  );
}
