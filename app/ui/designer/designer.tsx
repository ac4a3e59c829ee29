"use client";
// The designer: palette, canvas, inspector, problems and code around one workflow document.
// The document is the state (in a store with its undo history, designer/store.ts); the canvas, the forms, the problems and
// the code are views of it, and every change is an edit from designer/ (pure functions), shared
// by mouse and keyboard. The compiler checks each change in a worker; the draft is saved as you
// edit (with the etag it was loaded with, so a second tab meets a conflict, not a silent loss).

import { ReactFlowProvider, useReactFlow, type Connection as FlowConnection, type Edge as FlowEdge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState, type ComponentType, type DragEvent } from "react";
import type { Diagnostic } from "../../../compiler/diagnostics.ts";
import type { LineRange } from "../../../compiler/node-lines.ts";
import type { WorkflowDocument } from "../../../compiler/document.ts";
import { toCanvas } from "../../../designer/canvas.ts";
import { canConnect, freeHandles } from "../../../designer/connections.ts";
import { kindOf, nodeName } from "../../../designer/catalogue.ts";
import { byElement, type Problem } from "../../../designer/diagnostics.ts";
import { addNode, connect, copy, deleteElements, isFragment, moveNodes, paste } from "../../../designer/edits.ts";
import { createDocumentStore, record, redo, reset, undo, viewOf, watch } from "../../../designer/store.ts";
import { layout, needsLayout, NODE_HEIGHT } from "../../../designer/layout.ts";
import { waitBadges } from "../../../designer/waits.ts";
import type { ActivityInfo, VersionSummary } from "../../../engine/views.ts";
import { CodeView } from "./code-view.tsx";
import type { Target } from "./compile-types.ts";
import { Inspector, type Edit } from "./inspector.tsx";
import { CanvasView } from "./canvas-view.tsx";
import { AFTER_DRAWN_MS, AT_THE_LATEST_MS, afterPaint, whenIdle } from "./idle.ts";
import type { WeftNode } from "./node-view.tsx";
import { DRAG_TYPE, Palette, type PaletteItem } from "./palette.tsx";
import { Problems } from "./problems.tsx";
import { OutlineView } from "./outline-view.tsx";
import { useCompiler } from "./use-compiler.ts";
import { useDraftSaver, type SaveState } from "./use-draft.ts";
import { useWaits } from "./use-waits.ts";
import { WaitsElsewhere, WaitsToggle } from "./waits-view.tsx";
import { DeployDialog, StartRunDialog, VersionsPanel } from "./deploy.tsx";
import { Breadcrumb } from "../breadcrumb.tsx";
import type { Restored } from "../restore-version.tsx";
import { restoredNotice } from "../../lib/restore.ts";
import { workflowPath } from "../../lib/paths.ts";
import "./designer.css";

const NONE: readonly Diagnostic[] = [];

export interface DesignerProps {
  name: string;
  document: WorkflowDocument;
  etag: string;
  versions: VersionSummary[];
  activities: ActivityInfo[];
  canEdit: boolean;
  canRun: boolean;
  /** The version just restored as the draft (elsewhere: the run page, the compare page), said on arrival. */
  restored?: number;
  CodeEditor?: ComponentType<CodeEditorProps>;
  /** Whether CodeEditor's code is loaded (until then the code panel shows plain text). */
  editorsReady?: boolean;
  /** Asks for the editors' code to be loaded. */
  wantEditors?: () => void;
}

export interface CodeEditorProps {
  code: string;
  lines: ReadonlyMap<string, readonly LineRange[]>;
  selected: string | undefined;
  onSelect: (nodeId: string) => void;
  label: string;
}

export function Designer(props: DesignerProps) {
  return (
    <ReactFlowProvider>
      <DesignerInner {...props} />
    </ReactFlowProvider>
  );
}

const isEditable = (el: Element | null) => !!el && (el.closest("input, textarea, select, [contenteditable=true], .monaco-editor") !== null);

function DesignerInner({ name, document: initial, etag, versions: initialVersions, activities, canEdit, canRun, restored, CodeEditor, editorsReady = true, wantEditors }: DesignerProps) {
  const flow = useReactFlow();
  // The document and its undo history (designer/store.ts). Handlers read and write the store;
  // what is drawn is a copy of its view in React state, set from the store's listener, so that
  // a write from inside React Flow's handlers (a connection's pointer-up, a drag's end) is drawn
  // when React next renders, batched with the rest, never in the middle of the gesture.
  const [store] = useState(() => createDocumentStore(initial));
  const [view, setView] = useState(() => viewOf(store));
  const doc = view.document;
  const [notice, setNotice] = useState<string>(restored ? restoredNotice(restored) : "");
  const [selectedNodes, setSelectedNodes] = useState<ReadonlySet<string>>(new Set());
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(new Set());
  const [target, setTarget] = useState<Target>("weft");
  const [versions, setVersions] = useState(initialVersions);
  /** Where open runs would break if this drawing were deployed (the pre-deploy check's marks). */
  const [breaking, setBreaking] = useState<ReadonlyMap<string, number>>(new Map());
  const canvasRef = useRef<HTMLDivElement>(null);
  // Where open runs wait, on the nodes: kept current while shown.
  const [showWaits, setShowWaits] = useState(true);
  const waits = useWaits(name, showWaits);
  const badges = useMemo(() => (showWaits && waits.at ? waitBadges(doc, waits.waiting, waits.at) : undefined), [showWaits, doc, waits]);

  // Said once: the address loses its mark, so that a reload does not say it again.
  useEffect(() => {
    if (restored) window.history.replaceState(null, "", workflowPath(name));
  }, [restored, name]);

  // A notice (a refusal, a deploy's outcome) stays a while, then goes.
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(""), 12_000);
    return () => clearTimeout(timer);
  }, [notice]);

  // The compiler gets each document as it is stored, before React draws it (set below).
  const checkNow = useRef<(doc: WorkflowDocument) => void>(() => undefined);
  useEffect(() => {
    const stopChecking = store.subscribe((state, previous) => {
      if (state.document !== previous.document) checkNow.current(state.document);
    });
    const stopDrawing = watch(store, () => setView((v) => viewOf(store, v)));
    // Anything stored before these listeners were there.
    setView((v) => viewOf(store, v));
    return () => {
      stopChecking();
      stopDrawing();
    };
  }, [store]);

  /** Applies an edit; a refused one says why and changes nothing. */
  const edit: Edit = useCallback(
    (fn, mergeKey) => {
      try {
        record(store, fn(store.getState().document), mergeKey);
        return true;
      } catch (err) {
        setNotice((err as Error).message);
        return false;
      }
    },
    [store],
  );

  const saver = useDraftSaver(name, doc, etag, canEdit, (theirs) => {
    reset(store, theirs);
    setNotice("Reloaded the saved draft.");
  });

  // A version restored as the draft from the versions list: an edit like any other (Undo brings
  // back the draft it replaced), already saved by the server.
  const { flush, adopt } = saver;
  const restoreHere = useMemo(
    () => ({
      beforeRestore: async () => ((await flush()) ? undefined : "The draft's last changes could not be saved, so no version was restored: see the message above the drawing."),
      onRestored: ({ version, document: restoredDoc, etag: restoredEtag }: Restored) => {
        if (restoredDoc && restoredEtag) {
          adopt(restoredDoc, restoredEtag);
          record(store, restoredDoc);
          setNotice(`${restoredNotice(version)} Undo brings back the draft it replaced.`);
        } else setNotice(`The draft is version ${version}’s drawing already.`);
      },
    }),
    [flush, adopt, store],
  );

  const compiled = useCompiler(doc, target);
  checkNow.current = compiled.check;
  const diagnostics: readonly Diagnostic[] = useMemo(() => (compiled.reply && !compiled.reply.ok ? compiled.reply.diagnostics : NONE), [compiled.reply]);
  const by = useMemo(() => byElement(doc, diagnostics), [doc, diagnostics]);
  const lines = useMemo(() => new Map<string, LineRange[]>(compiled.lastGood?.lines ?? []), [compiled.lastGood]);
  const allDiagnostics = useMemo(() => {
    const map = new Map<string, Diagnostic[]>([...by.nodes, ...by.edges]);
    if (by.document.length) map.set(doc.name, by.document);
    return map;
  }, [by, doc.name]);

  // The heavy editors (Monaco for the code panel and expressions, megabytes of script to run;
  // the input forms) are not needed to draw or use the canvas: they are asked for once the page
  // has been idle a while after the canvas is drawn (idle.ts), or as soon as a node is selected
  // (after the selection is painted) or the code panel is pointed at or focused. Until they are
  // loaded, the code panel shows the code as plain text (the inspector's editors show nothing,
  // as while they load).
  const askEditors = useCallback(() => wantEditors?.(), [wantEditors]);
  const editorsTimer = useRef<() => void>(() => undefined);
  useEffect(() => {
    editorsTimer.current = whenIdle(askEditors, AT_THE_LATEST_MS);
    return () => editorsTimer.current();
  }, [askEditors]);
  const onDrawn = useCallback(() => {
    editorsTimer.current();
    editorsTimer.current = whenIdle(askEditors, AFTER_DRAWN_MS);
  }, [askEditors]);

  // After a layout, the view fits the drawing once React Flow has measured the moved nodes.
  const fitSoon = useCallback(() => {
    setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 150 }), 150);
  }, [flow]);

  // Nodes without positions are drawn where ELK puts them; the document stays as it is (an
  // import exports unchanged) until a node is moved, or Tidy writes every position.
  const [autoPositions, setAutoPositions] = useState<ReadonlyMap<string, { x: number; y: number }>>();
  const unplaced = useMemo(() => needsLayout(doc), [doc]);
  const laying = useRef(false);
  useEffect(() => {
    if (!unplaced || laying.current) return;
    if (autoPositions && doc.nodes.every((n) => n.position || autoPositions.has(n.id))) return;
    laying.current = true;
    void layout(doc)
      .then((positions) => {
        setAutoPositions(positions);
        fitSoon();
      })
      .finally(() => {
        laying.current = false;
      });
  }, [doc, unplaced, autoPositions, fitSoon]);

  // ---- the canvas: a view of the document (the node objects it moves live in CanvasView)
  const canvas = useMemo(() => toCanvas(doc, autoPositions), [doc, autoPositions]);

  const onNodeDragStop = useCallback(
    (_e: unknown, _n: WeftNode, dragged: WeftNode[]) => edit((d) => moveNodes(d, new Map(dragged.map((n) => [n.id, n.position])))),
    [edit],
  );

  const refusal = useRef("");
  const isValidConnection = useCallback((c: FlowConnection | FlowEdge) => {
    const verdict = canConnect(store.getState().document, { source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null });
    const reason = verdict.ok ? "" : verdict.reason;
    if (reason && reason !== refusal.current) setNotice(`Refused: ${reason}`);
    refusal.current = reason;
    return verdict.ok;
  }, [store]);

  const onConnect = useCallback(
    (c: FlowConnection) => {
      refusal.current = "";
      if (edit((d) => connect(d, { source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null }).document)) setNotice("");
    },
    [edit],
  );

  const onDelete = useCallback(
    ({ nodes: ns, edges: es }: { nodes: WeftNode[]; edges: FlowEdge[] }) => {
      edit((d) => deleteElements(d, { nodes: ns.map((n) => n.id), edges: es.map((e) => e.id) }));
      setSelectedNodes(new Set());
      setSelectedEdges(new Set());
    },
    [edit],
  );

  // ---- selection from elsewhere (problems, code, outline, palette)
  const focusElement = useCallback((kind: "node" | "edge", id: string) => {
    requestAnimationFrame(() => {
      const el = canvasRef.current?.querySelector<HTMLElement>(kind === "node" ? `.react-flow__node[data-id="${CSS.escape(id)}"]` : `.react-flow__edge[data-id="${CSS.escape(id)}"]`);
      el?.focus({ preventScroll: true });
    });
  }, []);

  const selectNode = useCallback(
    (id: string, options: { focus?: boolean; center?: boolean } = {}) => {
      setSelectedNodes(new Set([id]));
      setSelectedEdges(new Set());
      const node = store.getState().document.nodes.find((n) => n.id === id);
      if (node?.position && options.center !== false) void flow.setCenter(node.position.x + 100, node.position.y + NODE_HEIGHT / 2, { zoom: flow.getZoom(), duration: 200 });
      if (options.focus) focusElement("node", id);
    },
    [flow, focusElement, store],
  );

  const chooseProblem = useCallback(
    (p: Problem) => {
      if (p.on === "node") selectNode(p.id, { focus: true });
      else if (p.on === "edge") {
        setSelectedNodes(new Set());
        setSelectedEdges(new Set([p.id]));
        focusElement("edge", p.id);
      } else {
        setSelectedNodes(new Set());
        setSelectedEdges(new Set());
      }
    },
    [selectNode, focusElement],
  );

  // ---- adding from the palette
  const addItem = useCallback(
    (item: PaletteItem, at?: { x: number; y: number }) => {
      const current = store.getState().document;
      const after = at ? undefined : [...selectedNodes].length === 1 ? current.nodes.find((n) => selectedNodes.has(n.id)) : undefined;
      let position = at;
      if (!position && after?.position) position = { x: after.position.x, y: after.position.y + NODE_HEIGHT + 56 };
      if (!position) {
        const box = canvasRef.current?.getBoundingClientRect();
        position = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2 - 100, y: box.top + box.height / 2 - 32 }) : { x: 0, y: 0 };
      }
      let newId = "";
      const ok = edit((d) => {
        const added = addNode(d, item.type, { position: { x: Math.round(position!.x / 8) * 8, y: Math.round(position!.y / 8) * 8 }, activity: item.activity, label: item.label });
        newId = added.id;
        let next = added.document;
        // After a selected node: connected from its first free handle, when that may be.
        const handle = after ? freeHandles(next, after.id)[0] : undefined;
        if (after && handle !== undefined && canConnect(next, { source: after.id, sourceHandle: handle || null, target: added.id }).ok) {
          next = connect(next, { source: after.id, sourceHandle: handle || null, target: added.id }).document;
        }
        return next;
      });
      if (ok) {
        selectNode(newId, { center: !at });
        setNotice(`Added ${item.label ?? kindOf(item.type)?.title ?? item.type} as ${newId}${after ? `, after ${nodeName(after)}` : ""}.`);
      }
    },
    [edit, flow, selectNode, selectedNodes, store],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(DRAG_TYPE);
      if (!raw || !canEdit) return;
      event.preventDefault();
      const item = JSON.parse(raw) as PaletteItem;
      const at = flow.screenToFlowPosition({ x: event.clientX - 100, y: event.clientY - 20 });
      addItem(item, at);
    },
    [addItem, canEdit, flow],
  );

  // ---- undo, redo, tidy, copy and paste
  const doUndo = useCallback(() => undo(store), [store]);
  const doRedo = useCallback(() => redo(store), [store]);
  const tidy = useCallback(async () => {
    const positions = await layout(store.getState().document);
    edit((d) => moveNodes(d, positions));
    fitSoon();
  }, [edit, fitSoon, store]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isEditable(document.activeElement)) return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        if (canEdit) doUndo();
      } else if ((key === "z" && event.shiftKey) || key === "y") {
        event.preventDefault();
        if (canEdit) doRedo();
      }
    };
    // The canvas, or what holds it: a click on its empty pane leaves the focus on the page's main.
    const inCanvas = () => {
      const active = document.activeElement;
      const canvas = canvasRef.current;
      return !isEditable(active) && !!active && !!canvas && (canvas.contains(active) || active.contains(canvas));
    };
    const onCopy = (event: ClipboardEvent) => {
      if (!inCanvas() || selectedNodes.size === 0) return;
      event.preventDefault();
      event.clipboardData?.setData("text/plain", JSON.stringify(copy(store.getState().document, [...selectedNodes]), null, 2));
      setNotice(`Copied ${selectedNodes.size} ${selectedNodes.size === 1 ? "node" : "nodes"}.`);
    };
    const onPaste = (event: ClipboardEvent) => {
      if (!inCanvas() || !canEdit) return;
      let fragment: unknown;
      try {
        fragment = JSON.parse(event.clipboardData?.getData("text/plain") ?? "");
      } catch {
        return;
      }
      if (!isFragment(fragment)) return;
      event.preventDefault();
      let ids: string[] = [];
      edit((d) => {
        const pasted = paste(d, fragment as never);
        ids = pasted.ids;
        return pasted.document;
      });
      setSelectedNodes(new Set(ids));
      setNotice(`Pasted ${ids.length} ${ids.length === 1 ? "node" : "nodes"}.`);
    };
    window.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [canEdit, doUndo, doRedo, edit, selectedNodes, store]);

  // ---- export
  const download = useCallback((filename: string, text: string, type: string) => {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }, []);

  const selectedNode = selectedNodes.size === 1 ? [...selectedNodes][0] : undefined;
  // A selection shows the node's expressions in the inspector, and its code marked in the code panel.
  useEffect(() => {
    if (selectedNode && !editorsReady) afterPaint(askEditors);
  }, [selectedNode, editorsReady, askEditors]);
  const selectedEdge = selectedNodes.size === 0 && selectedEdges.size === 1 ? [...selectedEdges][0] : undefined;
  const title = doc.title?.trim() || name;
  const problemsCount = by.problems.length;
  const codeLabel = `Generated TypeScript, ${target === "weft" ? "Weft" : "Temporal"} target`;
  const stale = compiled.reply && !compiled.reply.ok ? `The drawing has ${problemsCount} ${problemsCount === 1 ? "problem" : "problems"}; ${compiled.lastGood ? "this is the code from before them." : "the code appears once they are fixed."}` : undefined;

  return (
    <div className="designer">
      <div className="designer-bar">
        <div className="designer-title">
          <Breadcrumb trail={[{ href: "/workflows", label: "Workflows" }]} />
          <h1>{title}</h1>
          <SaveStatus state={saver.state} canEdit={canEdit} />
        </div>
        <div className="designer-tools" role="toolbar" aria-label="Drawing">
          <button type="button" className="button button-small" onClick={doUndo} disabled={!canEdit || !view.canUndo} aria-keyshortcuts="Control+Z">
            Undo
          </button>
          <button type="button" className="button button-small" onClick={doRedo} disabled={!canEdit || !view.canRedo} aria-keyshortcuts="Control+Shift+Z">
            Redo
          </button>
          <button type="button" className="button button-small" onClick={() => void tidy()} disabled={!canEdit}>
            Tidy
          </button>
          <details className="menu">
            <summary className="button button-small">Export</summary>
            <div className="menu-items">
              <button type="button" onClick={() => download(`${name}.json`, `${JSON.stringify(doc, null, 2)}\n`, "application/json")}>
                Document (JSON)
              </button>
              <ExportCode name={name} doc={doc} download={download} />
            </div>
          </details>
          <WaitsToggle on={showWaits} onChange={setShowWaits} />
          {canRun ? <StartRunDialog name={name} doc={doc} deployed={versions.length > 0} /> : null}
          <DeployDialog
            name={name}
            canEdit={canEdit}
            problems={problemsCount}
            checking={compiled.pending}
            newest={versions.reduce((m, v) => Math.max(m, v.version), 0)}
            beforeDeploy={saver.flush}
            onDeployed={(message, list) => {
              setNotice(message);
              if (list) setVersions(list);
            }}
            onChecked={(check) => {
              const counts = new Map<string, number>();
              for (const b of check?.breaking ?? []) counts.set(b.nodeId, (counts.get(b.nodeId) ?? 0) + 1);
              setBreaking(counts);
            }}
            nodeName={(id) => nodeName(doc.nodes.find((n) => n.id === id), id)}
          />
        </div>
      </div>
      <p className="designer-notice" role="status" aria-live="polite">
        {notice}
      </p>
      <WaitsElsewhere badges={badges} />
      {saver.conflict ? (
        <div className="alert alert-warning designer-conflict" role="alert">
          <p>
            <strong>This workflow was changed elsewhere</strong> (in another tab or by someone else) since you opened it. Your last changes are not saved.
          </p>
          <div className="actions">
            <button type="button" className="button button-small" onClick={() => void saver.reload()}>
              Reload the saved draft
            </button>
            <button type="button" className="button button-small button-danger" onClick={() => void saver.overwrite()}>
              Overwrite with mine
            </button>
          </div>
        </div>
      ) : null}
      <div className="designer-body">
        <div className="designer-left">
          <Palette activities={activities} disabled={!canEdit} onAdd={(item) => addItem(item)} />
          <Problems problems={by.problems} checking={compiled.pending} onChoose={chooseProblem} />
          <OutlineView doc={doc} selected={selectedNodes} onSelect={(id) => selectNode(id, { focus: true })} />
          <VersionsPanel name={name} versions={versions} restore={canEdit ? restoreHere : undefined} />
        </div>
        <div className="designer-canvas" ref={canvasRef} onDragOver={(e) => e.dataTransfer.types.includes(DRAG_TYPE) && (e.preventDefault(), (e.dataTransfer.dropEffect = "copy"))} onDrop={onDrop}>
          <CanvasView
            canvas={canvas}
            selectedNodes={selectedNodes}
            selectedEdges={selectedEdges}
            by={by}
            breaking={breaking}
            badges={badges}
            canEdit={canEdit}
            fitView={initial.nodes.length > 1}
            onSelectNodes={setSelectedNodes}
            onSelectEdges={setSelectedEdges}
            onNodeDragStop={onNodeDragStop}
            onConnect={onConnect}
            isValidConnection={isValidConnection}
            onDelete={onDelete}
            onDrawn={onDrawn}
          />
        </div>
        <div className="designer-right">
          <Inspector
            doc={doc}
            nodeId={selectedNode}
            edgeId={selectedEdge}
            diagnostics={allDiagnostics}
            activities={activities}
            disabled={!canEdit}
            edit={edit}
            onSelectNode={(id) => selectNode(id, { focus: true })}
          />
          {CodeEditor && compiled.lastGood ? (
            <section className="dpanel code-panel" role="region" aria-label="Code" onPointerEnter={askEditors} onFocus={askEditors}>
              <div className="dpanel-head">
                <h2 className="dpanel-title">Code</h2>
                <TargetSwitch target={target} onTarget={setTarget} />
                <button type="button" className="button button-small" onClick={() => download(`${name}${target === "temporal" ? ".temporal" : ""}.ts`, compiled.lastGood!.code, "text/typescript")}>
                  Download
                </button>
              </div>
              {stale ? <p className="hint code-stale">{stale}</p> : null}
              {editorsReady ? (
                <CodeEditor code={compiled.lastGood.code} lines={lines} selected={selectedNode} onSelect={(id) => selectNode(id)} label={codeLabel} />
              ) : (
                <pre className="code code-view" tabIndex={0} aria-label={codeLabel}>
                  {compiled.lastGood.code}
                </pre>
              )}
            </section>
          ) : (
            <CodeView
              code={compiled.lastGood?.code}
              lines={lines}
              target={target}
              onTarget={setTarget}
              stale={stale}
              selected={selectedNode}
              onSelect={(id) => selectNode(id)}
              onDownload={() => compiled.lastGood && download(`${name}${target === "temporal" ? ".temporal" : ""}.ts`, compiled.lastGood.code, "text/typescript")}
            />
          )}
        </div>
      </div>
    </div>
  );
}

export function TargetSwitch({ target, onTarget }: { target: Target; onTarget: (t: Target) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label="Target">
      {(["weft", "temporal"] as const).map((t) => (
        <button key={t} type="button" role="radio" aria-checked={target === t} className={target === t ? "is-on" : ""} onClick={() => onTarget(t)}>
          {t === "weft" ? "Weft" : "Temporal"}
        </button>
      ))}
    </div>
  );
}

function SaveStatus({ state, canEdit }: { state: SaveState; canEdit: boolean }) {
  if (!canEdit) return <p className="save-status muted">Read only: editing needs the designer role.</p>;
  const text = { saved: "All changes saved", unsaved: "Unsaved changes…", saving: "Saving…", conflict: "Not saved: changed elsewhere", error: "Not saved: Weft could not be reached" }[state];
  return (
    <p className={`save-status save-${state}`} aria-live="polite">
      {text}
    </p>
  );
}

function ExportCode({ name, doc, download }: { name: string; doc: WorkflowDocument; download: (f: string, t: string, type: string) => void }) {
  const [busy, setBusy] = useState(false);
  const run = async (target: Target) => {
    setBusy(true);
    try {
      const { compileOnce } = await import("./compile-once.ts");
      const reply = await compileOnce(doc, target);
      if (reply.ok) download(`${name}${target === "temporal" ? ".temporal" : ""}.ts`, reply.code, "text/typescript");
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void run("weft")}>
        TypeScript for Weft
      </button>
      <button type="button" disabled={busy} onClick={() => void run("temporal")}>
        TypeScript for Temporal
      </button>
    </>
  );
}
