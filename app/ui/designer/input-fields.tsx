"use client";
// The workflow's input as a form of fields (designer/input-schema.ts): each field's name, type,
// whether it is required, a description and simple limits. The rows are held while typed and
// written to the document (one undoable step per field typed in) only when every row is a
// field; a schema the form cannot show is kept as it is, said so, and edited as JSON.

import { useId, useRef, useState } from "react";
import { sameValue } from "../../../designer/diff.ts";
import { fieldsToSchema, fieldToRow, INPUT_FIELD_TYPES, newRow, rowsToFields, schemaToFields, type FieldRow, type InputFieldType } from "../../../designer/input-schema.ts";

export interface InputFieldsProps {
  schema: unknown;
  disabled: boolean;
  /** Writes a new schema; `mergeKey` merges typing in one field into one undo step. */
  onChange: (schema: unknown, mergeKey: string) => void;
}

function rowsOf(schema: unknown): FieldRow[] | string {
  const read = schemaToFields(schema);
  return read.ok ? read.fields.map(fieldToRow) : read.reason;
}

export function InputFields({ schema, disabled, onChange }: InputFieldsProps) {
  const [rows, setRows] = useState(() => rowsOf(schema));
  // The schema last written from here: a different one came from elsewhere (undo, JSON).
  const written = useRef(schema);
  if (written.current !== schema) {
    written.current = schema;
    setRows(rowsOf(schema));
  }
  if (typeof rows === "string") {
    return (
      <p className="alert alert-warning input-fields-note" role="note">
        The form cannot show this input schema ({rows}), so it is kept as it is: edit it as JSON below.
      </p>
    );
  }
  const { problems } = rowsToFields(rows);

  const update = (next: FieldRow[], mergeKey: string) => {
    setRows(next);
    const read = rowsToFields(next);
    if (read.problems.size > 0) return;
    const out = fieldsToSchema(read.fields, schema);
    // The same schema again (a choice made again) is no edit: no undo step for nothing.
    if (sameValue(out, schema)) return;
    written.current = out;
    onChange(out, mergeKey);
  };
  const set = (i: number, patch: Partial<FieldRow>, key: string) => update(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)), `input:${i}:${key}`);

  return (
    <div className="input-fields">
      {rows.length === 0 ? <p className="hint">No input fields: runs start with an empty input. Add one for each value a run needs.</p> : null}
      <ol className="input-field-list">
        {rows.map((row, i) => (
          <li key={i}>
            <FieldEditor index={i} row={row} disabled={disabled} problem={problems.get(i)} set={(patch, key) => set(i, patch, key)} remove={() => update(rows.filter((_, j) => j !== i), `input:remove:${i}`)} />
          </li>
        ))}
      </ol>
      <button type="button" className="button button-small" disabled={disabled} onClick={() => update([...rows, newRow(rows)], `input:add:${rows.length}`)}>
        Add an input field
      </button>
    </div>
  );
}

function FieldEditor({ index, row, disabled, problem, set, remove }: { index: number; row: FieldRow; disabled: boolean; problem?: string; set: (patch: Partial<FieldRow>, key: string) => void; remove: () => void }) {
  const id = useId();
  const numeric = row.type === "number" || row.type === "integer";
  const title = row.name.trim() || `field ${index + 1}`;
  return (
    <fieldset className="fieldset dfieldset input-field" aria-describedby={problem ? `${id}-problem` : undefined}>
      <legend>Input field {title}</legend>
      <div className="input-field-grid">
        <div className="field dfield">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} className="mono" value={row.name} disabled={disabled} spellCheck={false} aria-invalid={problem ? true : undefined} onChange={(e) => set({ name: e.target.value }, "name")} />
        </div>
        <div className="field dfield">
          <label htmlFor={`${id}-type`}>Type</label>
          <select id={`${id}-type`} value={row.type} disabled={disabled} onChange={(e) => set({ type: e.target.value as InputFieldType }, "type")}>
            {INPUT_FIELD_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <label className="checkbox-line">
        <input type="checkbox" checked={row.required} disabled={disabled} onChange={(e) => set({ required: e.target.checked }, "required")} /> Required: a run cannot start without it
      </label>
      <div className="field dfield">
        <label htmlFor={`${id}-description`}>Description</label>
        <input id={`${id}-description`} value={row.description} disabled={disabled} onChange={(e) => set({ description: e.target.value }, "description")} />
      </div>
      {numeric ? (
        <div className="input-field-grid">
          <Limit id={`${id}-min`} label="Minimum" value={row.minimum} exclusive={row.minimumExclusive} exclusiveLabel="More than it, not equal" disabled={disabled} onValue={(v) => set({ minimum: v }, "minimum")} onExclusive={(v) => set({ minimumExclusive: v }, "minimumExclusive")} />
          <Limit id={`${id}-max`} label="Maximum" value={row.maximum} exclusive={row.maximumExclusive} exclusiveLabel="Less than it, not equal" disabled={disabled} onValue={(v) => set({ maximum: v }, "maximum")} onExclusive={(v) => set({ maximumExclusive: v }, "maximumExclusive")} />
        </div>
      ) : null}
      {row.type === "choice" ? (
        <div className="field dfield">
          <label htmlFor={`${id}-choices`}>Choices</label>
          <input id={`${id}-choices`} value={row.choices} disabled={disabled} aria-describedby={`${id}-choices-help`} onChange={(e) => set({ choices: e.target.value }, "choices")} />
          <p className="hint" id={`${id}-choices-help`}>
            Separated by commas.
          </p>
        </div>
      ) : null}
      {problem ? (
        <p className="field-problem" id={`${id}-problem`}>
          {problem} Not saved until it is fixed.
        </p>
      ) : null}
      <button type="button" className="button button-small button-quiet" disabled={disabled} onClick={remove}>
        Remove {title}
      </button>
    </fieldset>
  );
}

function Limit(props: { id: string; label: string; value: string; exclusive: boolean; exclusiveLabel: string; disabled: boolean; onValue: (v: string) => void; onExclusive: (v: boolean) => void }) {
  return (
    <div className="field dfield">
      <label htmlFor={props.id}>{props.label}</label>
      <input id={props.id} className="mono" inputMode="decimal" value={props.value} disabled={props.disabled} onChange={(e) => props.onValue(e.target.value)} />
      <label className="checkbox-line small">
        <input type="checkbox" checked={props.exclusive} disabled={props.disabled || props.value.trim() === ""} onChange={(e) => props.onExclusive(e.target.checked)} /> {props.exclusiveLabel}
      </label>
    </div>
  );
}
