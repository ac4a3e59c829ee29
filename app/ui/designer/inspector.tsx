"use client";
// The inspector: the selected node's fields as a form (from the catalogue), its id, where each
// of its handles leads (connecting without a mouse), and its problems; an edge's ends; with
// nothing selected, the workflow's own fields.

import { useCallback, useId, useState } from "react";
import type { Diagnostic } from "../../../compiler/diagnostics.ts";
import { PLAIN_HANDLE, type WorkflowDocument, type WorkflowNode } from "../../../compiler/document.ts";
import { handlesFor, kindOf, nodeName, type FieldSpec } from "../../../designer/catalogue.ts";
import { canConnect } from "../../../designer/connections.ts";
import { connect, deleteElements, edgeFrom, renameNode, setDocumentField, setNodeField } from "../../../designer/edits.ts";
import { namesInScope } from "../../../designer/scope.ts";
import type { ActivityInfo } from "../../../engine/views.ts";
import { schemaToFields } from "../../../designer/input-schema.ts";
import { useEditors } from "./editors.ts";
import { InputFields } from "./input-fields.tsx";
import { ChoiceField, ConditionsField, NamesField, RetryField, TextField, ValueField, type FieldProps } from "./fields.tsx";

export type Edit = (fn: (doc: WorkflowDocument) => WorkflowDocument, mergeKey?: string) => boolean;

export interface InspectorProps {
  doc: WorkflowDocument;
  nodeId?: string;
  edgeId?: string;
  diagnostics: ReadonlyMap<string, Diagnostic[]>;
  activities: readonly ActivityInfo[];
  disabled: boolean;
  edit: Edit;
  onSelectNode: (id: string) => void;
}

export function Inspector(props: InspectorProps) {
  const { doc, nodeId, edgeId } = props;
  const node = nodeId ? doc.nodes.find((n) => n.id === nodeId) : undefined;
  const edge = !node && edgeId ? doc.edges.find((e) => e.id === edgeId) : undefined;
  return (
    // Focusable, so that a reader without the designer role (every field disabled) can still scroll it from the keyboard.
    <section className="dpanel inspector" role="region" aria-label="Inspector" tabIndex={0}>
      {node ? <NodeForm {...props} node={node} key={node.id} /> : edge ? <EdgeInfo {...props} edgeId={edge.id} /> : <WorkflowForm {...props} />}
    </section>
  );
}

function fieldProblems(diagnostics: readonly Diagnostic[] | undefined, key: string): string[] {
  return (diagnostics ?? []).filter((d) => d.field !== undefined && d.field.split(/[.[]/)[0] === key).map((d) => d.message);
}

function NodeForm({ doc, node, diagnostics, activities, disabled, edit, onSelectNode }: InspectorProps & { node: WorkflowNode }) {
  const { InputForm } = useEditors();
  const scope = useCallback(() => namesInScope(doc, node.id), [doc, node.id]);
  const kind = kindOf(node.type);
  const mine = diagnostics.get(node.id) ?? [];
  const record = node as unknown as Record<string, unknown>;
  const activity = node.type === "step" ? activities.find((a) => a.name === node.activity) : undefined;
  const general = mine.filter((d) => !d.field || !kind?.fields.some((f) => f.key === d.field!.split(/[.[]/)[0]));
  const set = (key: string) => (value: unknown) => edit((d) => setNodeField(d, node.id, key, value), `field:${node.id}:${key}`);
  return (
    <>
      <h2 className="dpanel-title">
        {kind?.title ?? node.type}: {nodeName(node)}
      </h2>
      {kind ? <p className="hint">{kind.description}</p> : null}
      {general.length ? (
        <ul className="inspector-problems" aria-label={`Problems of ${nodeName(node)}`}>
          {general.map((d, i) => (
            <li key={i}>
              {d.field ? <span className="mono">{d.field}: </span> : null}
              {d.message}
            </li>
          ))}
        </ul>
      ) : null}
      <IdField id={node.id} disabled={disabled || node.type === "start"} edit={edit} onRenamed={onSelectNode} />
      {kind?.fields.map((spec) => {
        const props: FieldProps = { spec, value: record[spec.key], disabled, onChange: set(spec.key), problems: fieldProblems(mine, spec.key), scope };
        if (spec.key === "input" && node.type === "step" && activity?.inputSchema && InputForm) {
          return (
            <div key={spec.key} className="dfield input-with-form">
              <InputForm schema={activity.inputSchema} value={record.input} disabled={disabled} onChange={set("input")} />
              <ValueField {...props} spec={{ ...spec, label: "Input as JSON", help: `The form above is ${activity.title}'s input; a text beginning with = is an expression.` }} />
            </div>
          );
        }
        return <FieldFor key={spec.key} {...props} suggestions={spec.type === "activity" ? activities.map((a) => a.name) : undefined} />;
      })}
      <Connections doc={doc} node={node} disabled={disabled} edit={edit} />
    </>
  );
}

function FieldFor(props: FieldProps & { spec: FieldSpec }) {
  switch (props.spec.type) {
    case "value":
      return <ValueField {...props} />;
    case "names":
      return <NamesField {...props} />;
    case "choice":
      return <ChoiceField {...props} />;
    case "retry":
      return <RetryField {...props} />;
    case "conditions":
      return <ConditionsField {...props} />;
    default:
      return <TextField {...props} />;
  }
}

function IdField({ id, disabled, edit, onRenamed }: { id: string; disabled: boolean; edit: Edit; onRenamed: (id: string) => void }) {
  const inputId = useId();
  const [text, setText] = useState(id);
  const [problem, setProblem] = useState<string>();
  const commit = () => {
    const to = text.trim();
    if (to === id) return;
    if (!/^\S+$/.test(to)) return setProblem("An id is one word without spaces.");
    if (edit((d) => renameNode(d, id, to))) {
      setProblem(undefined);
      onRenamed(to);
    } else setProblem(`“${to}” is the id of another node.`);
  };
  return (
    <div className="field dfield">
      <label htmlFor={inputId}>Id</label>
      <input
        id={inputId}
        className="mono"
        value={text}
        disabled={disabled}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
        }}
      />
      {problem ? <p className="field-problem">{problem}</p> : <p className="hint">Names the node in the code and in runs; renaming keeps its connections.</p>}
    </div>
  );
}

/** Where each handle leads, as a choice of node: connecting and reconnecting without a mouse. */
function Connections({ doc, node, disabled, edit }: { doc: WorkflowDocument; node: WorkflowNode; disabled: boolean; edit: Edit }) {
  const handles = handlesFor(node);
  const baseId = useId();
  if (handles.length === 0) return null;
  const targets = doc.nodes.filter((n) => n.id !== node.id && n.type !== "start");
  return (
    <fieldset className="fieldset dfieldset">
      <legend>Leads to</legend>
      {handles.map((h) => {
        const current = edgeFrom(doc, node.id, h.id);
        const id = `${baseId}-${h.id || "plain"}`;
        return (
          <div className="field dfield" key={h.id || "plain"}>
            <label htmlFor={id}>{h.id === PLAIN_HANDLE ? "Next" : `When ${h.label}`}</label>
            <select
              id={id}
              value={current?.target ?? ""}
              disabled={disabled}
              onChange={(e) => {
                const target = e.target.value;
                edit((d) => {
                  let next = current ? deleteElements(d, { edges: [current.id] }) : d;
                  if (target) {
                    const verdict = canConnect(next, { source: node.id, sourceHandle: h.id || null, target });
                    if (!verdict.ok) throw new Error(verdict.reason);
                    next = connect(next, { source: node.id, sourceHandle: h.id || null, target }).document;
                  }
                  return next;
                });
              }}
            >
              <option value="">(nowhere yet)</option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {nodeName(t)}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </fieldset>
  );
}

function EdgeInfo({ doc, edgeId, diagnostics, disabled, edit, onSelectNode }: InspectorProps & { edgeId: string }) {
  const edge = doc.edges.find((e) => e.id === edgeId)!;
  const name = (id: string) => nodeName(doc.nodes.find((n) => n.id === id), id);
  const mine = diagnostics.get(edge.id) ?? [];
  return (
    <>
      <h2 className="dpanel-title">Connection {edge.id}</h2>
      {mine.length ? (
        <ul className="inspector-problems">
          {mine.map((d, i) => (
            <li key={i}>{d.message}</li>
          ))}
        </ul>
      ) : null}
      <p>
        From{" "}
        <button type="button" className="linkish" onClick={() => onSelectNode(edge.source)}>
          {name(edge.source)}
        </button>
        {edge.sourceHandle ? ` (${edge.sourceHandle})` : ""} to{" "}
        <button type="button" className="linkish" onClick={() => onSelectNode(edge.target)}>
          {name(edge.target)}
        </button>
        .
      </p>
      <button type="button" className="button button-small button-danger-quiet" disabled={disabled} onClick={() => edit((d) => deleteElements(d, { edges: [edge.id] }))}>
        Delete connection
      </button>
    </>
  );
}

function WorkflowForm({ doc, diagnostics, disabled, edit }: InspectorProps) {
  const mine = diagnostics.get(doc.name) ?? [];
  const description = (doc as { description?: unknown }).description;
  const representable = schemaToFields(doc.inputSchema).ok;
  const setSchema = (v: unknown, mergeKey = "doc:inputSchema") => edit((d) => setDocumentField(d, "inputSchema", v), mergeKey);
  return (
    <>
      <h2 className="dpanel-title">Workflow settings</h2>
      <p className="hint">Select a node to edit it. The workflow itself:</p>
      <p>
        Name <span className="mono">{doc.name}</span>
      </p>
      <TextField spec={{ key: "title", label: "Title", type: "text" }} value={doc.title} disabled={disabled} onChange={(v) => edit((d) => setDocumentField(d, "title", v), "doc:title")} />
      <TextField
        spec={{ key: "description", label: "Description", type: "text", help: "What the workflow is for, in a sentence." }}
        value={typeof description === "string" ? description : undefined}
        disabled={disabled}
        onChange={(v) => edit((d) => setDocumentField(d, "description", v), "doc:description")}
      />
      <fieldset className="fieldset dfieldset workflow-input">
        <legend>Input fields</legend>
        <p className="hint">What a run is started with; expressions read each field as input.name.</p>
        {fieldProblems(mine, "inputSchema").map((p, i) => (
          <p key={i} className="field-problem">
            {p}
          </p>
        ))}
        <InputFields schema={doc.inputSchema} disabled={disabled} onChange={setSchema} />
        <details className="json-escape" open={!representable || undefined}>
          <summary>Edit as JSON</summary>
          <ValueField
            spec={{ key: "inputSchema", label: "Input schema", type: "value", help: "The JSON Schema of a run's input, e.g. {\"type\": \"object\", \"properties\": {…}}." }}
            value={doc.inputSchema}
            disabled={disabled}
            onChange={(v) => setSchema(v)}
          />
        </details>
      </fieldset>
    </>
  );
}
