"use client";
// Comparing two versions of a workflow (either may be the current draft): one drawing with the
// nodes added, removed (ghosted) and changed, each saying so in words; the changes listed in
// plain words (designer/diff.ts); and the generated TypeScript of both, for either target, in
// Monaco's diff editor (loaded apart, browser only).

import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type Edge as FlowEdge, type NodeTypes } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useEffect, useId, useMemo, useState } from "react";
import type { Position, WorkflowDocument } from "../../../compiler/document.ts";
import { toCanvas } from "../../../designer/canvas.ts";
import { changesInWords, diffDocuments, isEmptyDiff, mergedDrawing, nodeFates, type ChangeLine, type DocumentDiff } from "../../../designer/diff.ts";
import { layout, needsLayout, NODE_HEIGHT, NODE_WIDTH } from "../../../designer/layout.ts";
import { withQuery, workflowPath } from "../../lib/paths.ts";
import { RestoreVersion } from "../restore-version.tsx";
import { CompareNodeView, FATE_WORDS, type CompareNode } from "./compare-node.tsx";
import type { Target } from "./compile-types.ts";
import { TargetSwitch } from "./designer.tsx";
import "./designer.css";

const CodeDiff = dynamic(() => import("./code-diff.tsx"), { ssr: false, loading: () => <p className="hint">Loading the code diff…</p> });

const nodeTypes: NodeTypes = { compare: CompareNodeView };
const proOptions = { hideAttribution: true };

export interface Side {
  /** "draft", or the version's number. */
  key: string;
  /** How a sentence names it: "version 3", "the current draft". */
  label: string;
  document: WorkflowDocument;
  /** The module the version was deployed with (the Weft target); a draft has none. */
  code?: string;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function summaryOf(d: DocumentDiff): string {
  const parts = [
    d.added.length ? `${plural(d.added.length, "node")} added` : "",
    d.removed.length ? `${plural(d.removed.length, "node")} removed` : "",
    d.changed.length ? `${plural(d.changed.length, "node")} changed` : "",
    d.moved.length ? `${plural(d.moved.length, "node")} moved` : "",
    d.renamed.length ? `${plural(d.renamed.length, "node")} renamed` : "",
    d.edgesAdded.length ? `${plural(d.edgesAdded.length, "connection")} added` : "",
    d.edgesRemoved.length ? `${plural(d.edgesRemoved.length, "connection")} removed` : "",
    d.workflow.length ? `${plural(d.workflow.length, "workflow setting")} changed` : "",
  ].filter(Boolean);
  return parts.join(", ");
}

export function ComparePage({ name, versions, before, after, canEdit }: { name: string; versions: number[]; before: Side; after: Side; canEdit: boolean }) {
  const diff = useMemo(() => diffDocuments(before.document, after.document), [before.document, after.document]);
  const lines = useMemo(() => changesInWords(before.document, after.document, diff), [before.document, after.document, diff]);
  const [focus, setFocus] = useState<string>();
  const same = before.key === after.key;
  return (
    <div className="compare">
      <VersionPicker name={name} versions={versions} from={before.key} to={after.key} />
      <p className="compare-summary" role="status">
        {same
          ? `Both sides are ${before.label}: choose two different versions.`
          : isEmptyDiff(diff)
            ? `No differences: ${after.label} is the same as ${before.label}.`
            : `From ${before.label} to ${after.label}: ${summaryOf(diff)}.`}
      </p>
      {canEdit ? <RestoreSides name={name} sides={same ? [before] : [before, after]} /> : null}
      <div className="compare-body">
        <section className="dpanel compare-drawing" role="region" aria-label="Drawing compared">
          <h2 className="dpanel-title">Drawing</h2>
          <ReactFlowProvider>
            <DiffDrawing before={before.document} after={after.document} diff={diff} focus={focus} />
          </ReactFlowProvider>
          <ul className="compare-legend" aria-label="Legend">
            {(["added", "removed", "changed", "moved", "renamed"] as const).map((f) => (
              <li key={f}>
                <span className={`cnode-tag cnode-tag-${f}`}>{FATE_WORDS[f]}</span>{" "}
                {f === "added"
                  ? `only in ${after.label}`
                  : f === "removed"
                    ? `only in ${before.label}, drawn faded and dashed (a handle too)`
                    : f === "changed"
                      ? "fields differ"
                      : f === "moved"
                        ? "only its place differs"
                        : "only its id differs"}
              </li>
            ))}
          </ul>
        </section>
        <section className="dpanel compare-changes" role="region" aria-label="Changes">
          <h2 className="dpanel-title">Changes</h2>
          {lines.length === 0 ? <p className="hint">Nothing changed.</p> : <ChangeList lines={lines} onShow={setFocus} />}
        </section>
      </div>
      <CodeSides before={before} after={after} />
    </div>
  );
}

/** For designers: each version compared may be made the draft again, and opened in the designer. */
function RestoreSides({ name, sides }: { name: string; sides: Side[] }) {
  const numbers = sides.filter((s) => s.key !== "draft").map((s) => Number(s.key));
  if (numbers.length === 0) return null;
  return (
    <div className="compare-restore actions">
      {numbers.map((n) => (
        <RestoreVersion key={n} name={name} version={n} />
      ))}
    </div>
  );
}

function VersionPicker({ name, versions, from, to }: { name: string; versions: number[]; from: string; to: string }) {
  const id = useId();
  const options = [
    <option key="draft" value="draft">
      Current draft
    </option>,
    ...versions.map((v) => (
      <option key={v} value={String(v)}>
        Version {v}
        {v === versions[0] ? " (newest)" : ""}
      </option>
    )),
  ];
  // A plain form: it works before the page's scripts arrive, and its address can be shared.
  return (
    <form method="get" action={`${workflowPath(name)}/compare`} className="compare-pick" aria-label="Versions to compare">
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <select id={`${id}-from`} name="from" defaultValue={from}>
          {options}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To</label>
        <select id={`${id}-to`} name="to" defaultValue={to}>
          {options}
        </select>
      </div>
      <button type="submit" className="button button-small button-primary">
        Compare
      </button>
      <Link className="button button-small" href={withQuery(`${workflowPath(name)}/compare`, { from: to, to: from })}>
        Swap sides
      </Link>
    </form>
  );
}

function ChangeList({ lines, onShow }: { lines: ChangeLine[]; onShow: (id: string) => void }) {
  return (
    <ol className="change-list">
      {lines.map((line, i) => (
        <li key={i} className={`change change-${line.kind}`}>
          <p className="change-text">
            {line.nodeId && line.subject ? (
              <>
                {/* The tag says the verb, in words as well as in colour. */}
                <span className={`cnode-tag cnode-tag-${line.kind}`}>{FATE_WORDS[line.kind as keyof typeof FATE_WORDS]}</span> {line.subject}{" "}
                <button type="button" className="linkish small" onClick={() => onShow(line.nodeId!)} aria-label={`Show ${line.subject} on the drawing`}>
                  show
                </button>
              </>
            ) : (
              line.text
            )}
          </p>
          {line.fields?.length ? (
            <dl className="change-fields">
              {line.fields.map((f, j) => (
                <div key={j}>
                  <dt>{f.label}</dt>
                  <dd>
                    <span className="change-before">was {f.before}</span>
                    <span className="change-after">now {f.after}</span>
                  </dd>
                </div>
              ))}
            </dl>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/** Whether two nodes would be drawn one over the other. */
function overlapping(positions: Position[]): boolean {
  for (let i = 0; i < positions.length; i++)
    for (let j = i + 1; j < positions.length; j++) if (Math.abs(positions[i].x - positions[j].x) < NODE_WIDTH && Math.abs(positions[i].y - positions[j].y) < NODE_HEIGHT) return true;
  return false;
}

function DiffDrawing({ before, after, diff, focus }: { before: WorkflowDocument; after: WorkflowDocument; diff: DocumentDiff; focus?: string }) {
  const flow = useReactFlow();
  const merged = useMemo(() => mergedDrawing(before, after, diff), [before, after, diff]);
  const fates = useMemo(() => nodeFates(diff), [diff]);
  const changedFields = useMemo(() => new Map(diff.changed.map((c) => [c.id, c.fields.map((f) => f.label)])), [diff]);
  // Where the drawings do not place every node, or the removed nodes sit on the present ones,
  // ELK lays the merged drawing out (in this view only).
  const [laidOut, setLaidOut] = useState<ReadonlyMap<string, Position>>();
  useEffect(() => {
    const placed = merged.document.nodes.map((n) => n.position).filter((p): p is Position => !!p);
    if (!needsLayout(merged.document) && !overlapping(placed)) {
      setLaidOut(undefined);
      return;
    }
    let live = true;
    void layout(merged.document).then((p) => {
      if (!live) return;
      setLaidOut(p);
      setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1 }), 50);
    });
    return () => {
      live = false;
    };
  }, [merged, flow]);

  const nodes: CompareNode[] = useMemo(() => {
    const canvas = toCanvas(merged.document, laidOut);
    return canvas.nodes.map((cn) => {
      const fate = fates.get(cn.id) ?? "same";
      return {
        ...cn,
        type: "compare",
        position: laidOut?.get(cn.id) ?? cn.position,
        ariaLabel: fate === "same" ? cn.data.name : `${cn.data.name}, ${FATE_WORDS[fate].toLowerCase()}`,
        draggable: false,
        selectable: false,
        data: { ...cn.data, fate, changed: changedFields.get(cn.id), focused: focus === cn.id, gone: merged.goneHandles.get(cn.id) },
      } as CompareNode;
    });
  }, [merged, laidOut, fates, changedFields, focus]);

  const edges: FlowEdge[] = useMemo(
    () =>
      toCanvas(merged.document).edges.map((ce) => ({
        ...ce,
        className: merged.removedEdges.has(ce.id) ? "cedge-removed" : merged.addedEdges.has(ce.id) ? "cedge-added" : undefined,
        selectable: false,
      })),
    [merged],
  );

  useEffect(() => {
    if (focus) void flow.fitView({ nodes: [{ id: focus }], maxZoom: 1, duration: 200, padding: 0.6 });
  }, [focus, flow]);

  return (
    <div className="compare-canvas">
      <ReactFlow<CompareNode, FlowEdge>
        aria-label="Drawing compared"
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.1}
        proOptions={proOptions}
        colorMode="system"
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

type Code = { ok: true; code: string } | { ok: false; message: string } | undefined;

/** The generated module of one side for a target: a version's stored one for Weft, else compiled here. */
function useCode(side: Side, target: Target): Code {
  const [code, setCode] = useState<Code>();
  useEffect(() => {
    if (target === "weft" && side.code !== undefined) {
      setCode({ ok: true, code: side.code });
      return;
    }
    // The previous code stays shown until the new one is compiled, so the diff editor stays put.
    let live = true;
    void import("./compile-once.ts")
      .then(({ compileOnce }) => compileOnce(side.document, target))
      .then(
        (reply) => live && setCode(reply.ok ? { ok: true, code: reply.code } : { ok: false, message: `${capital(side.label)} has ${plural(reply.diagnostics.length, "problem")}, so it has no code; fix them in the designer.` }),
        (err: Error) => live && setCode({ ok: false, message: `The compiler could not run: ${err.message}` }),
      );
    return () => {
      live = false;
    };
  }, [side, target]);
  return code;
}

function CodeSides({ before, after }: { before: Side; after: Side }) {
  const [target, setTarget] = useState<Target>("weft");
  const left = useCode(before, target);
  const right = useCode(after, target);
  const targetName = target === "weft" ? "Weft" : "Temporal";
  return (
    <section className="dpanel compare-code" role="region" aria-label="Code diff">
      <div className="dpanel-head">
        <h2 className="dpanel-title">Generated code</h2>
        <TargetSwitch target={target} onTarget={setTarget} />
      </div>
      <p className="hint">
        {capital(before.label)} on the left, {after.label} on the right: the TypeScript each compiles to for {targetName}.
      </p>
      {!left || !right ? (
        <p className="hint" role="status">
          Compiling…
        </p>
      ) : !left.ok || !right.ok ? (
        <p className="alert alert-warning">{!left.ok ? left.message : (right as { message: string }).message}</p>
      ) : (
        <CodeDiff original={left.code} modified={right.code} originalLabel={`Generated TypeScript of ${before.label}`} modifiedLabel={`Generated TypeScript of ${after.label}`} />
      )}
    </section>
  );
}
