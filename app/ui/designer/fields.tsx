"use client";
// The inspector's form controls, one per field type of the catalogue. Each keeps what is being
// typed, commits every change (typing in one field merges into one undo step) and takes the
// document's value again when it changes from elsewhere (undo, another edit).

import { useId, useRef, useState, type ReactNode } from "react";
import { parseDuration } from "../../../compiler/durations.ts";
import type { FieldSpec } from "../../../designer/catalogue.ts";
import type { ScopeNames } from "../../../designer/scope.ts";
import { useEditors } from "./editors.ts";

export interface FieldProps {
  spec: FieldSpec;
  value: unknown;
  disabled: boolean;
  onChange: (value: unknown) => void;
  /** Names a datalist of suggestions (activities). */
  suggestions?: readonly string[];
  problems?: readonly string[];
  /** What an expression here may name (completion). */
  scope?: () => ScopeNames;
}

/** Local text that follows the value when it changes from outside. */
function useText(value: unknown, format: (v: unknown) => string): [string, (t: string) => void] {
  const [text, setText] = useState(() => format(value));
  const seen = useRef(value);
  if (!Object.is(seen.current, value)) {
    seen.current = value;
    const formatted = format(value);
    if (formatted !== text) setText(formatted);
  }
  return [text, setText];
}

const asText = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

function Frame({ id, spec, problem, children, helpId }: { id: string; spec: FieldSpec; problem?: string; children: ReactNode; helpId: string }) {
  return (
    <div className="field dfield">
      <label htmlFor={id}>
        {spec.label}
        {spec.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {children}
      {problem ? (
        <p className="field-problem" id={`${helpId}-problem`}>
          {problem}
        </p>
      ) : null}
      {spec.help ? (
        <p className="hint" id={helpId}>
          {spec.help}
        </p>
      ) : null}
    </div>
  );
}

function check(spec: FieldSpec, text: string): string | undefined {
  if (text.trim() === "") return spec.required ? `${spec.label} is needed.` : undefined;
  if (spec.type === "duration" && parseDuration(text) === undefined) return `“${text}” is not a duration: write 500ms, 10s, 5m, 2h, 7d or ISO 8601 (PT10S).`;
  if (spec.type === "identifier" && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text)) return "A variable name: letters, digits and _, not starting with a digit.";
  if (spec.type === "expression" && !text.startsWith("=")) return "An expression begins with =, for example =addDuration(workflow.now, \"1d\").";
  return undefined;
}

const NO_PROBLEMS: readonly string[] = [];

export function TextField({ spec, value, disabled, onChange, suggestions, problems, scope }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const [text, setText] = useText(value, asText);
  const { Expression } = useEditors();
  const local = check(spec, text);
  const problem = local ?? problems?.[0];
  const listId = suggestions ? `${id}-list` : undefined;
  if (spec.type === "expression" && Expression && scope) {
    return (
      <div className="field dfield">
        <span className="label" id={`${id}-label`}>
          {spec.label}
          {spec.required ? <span aria-hidden="true"> *</span> : null}
        </span>
        <Expression
          label={spec.label}
          value={text}
          disabled={disabled}
          problems={problems ?? NO_PROBLEMS}
          scope={scope}
          onChange={(t) => {
            setText(t);
            onChange(t === "" && !spec.required ? undefined : t);
          }}
        />
        {local ? <p className="field-problem">{local}</p> : null}
        {spec.help ? <p className="hint">{spec.help}</p> : null}
      </div>
    );
  }
  return (
    <Frame id={id} spec={spec} problem={problem} helpId={helpId}>
      <input
        id={id}
        type="text"
        className={spec.type === "text" ? "" : "mono"}
        value={text}
        disabled={disabled}
        list={listId}
        spellCheck={spec.type === "text"}
        aria-invalid={problem ? true : undefined}
        aria-describedby={[problem ? `${helpId}-problem` : "", spec.help ? helpId : ""].filter(Boolean).join(" ") || undefined}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          onChange(t === "" && !spec.required ? undefined : t);
        }}
      />
      {suggestions ? (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      ) : null}
    </Frame>
  );
}

/** A value: text as it is (an expression when it begins with =), JSON for objects, arrays, numbers. */
export function ValueField({ spec, value, disabled, onChange, problems }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const format = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v, null, 2));
  const [text, setText] = useText(value, format);
  const [bad, setBad] = useState<string | undefined>();
  const problem = bad ?? problems?.[0];
  return (
    <Frame id={id} spec={spec} problem={problem} helpId={helpId}>
      <textarea
        id={id}
        className="mono"
        rows={Math.min(8, Math.max(2, text.split("\n").length))}
        value={text}
        disabled={disabled}
        spellCheck={false}
        aria-invalid={problem ? true : undefined}
        aria-describedby={[problem ? `${helpId}-problem` : "", spec.help ? helpId : ""].filter(Boolean).join(" ") || undefined}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          const trimmed = t.trim();
          if (trimmed === "") {
            setBad(undefined);
            onChange(undefined);
          } else if (/^[[{]/.test(trimmed) || /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/.test(trimmed)) {
            try {
              onChange(JSON.parse(trimmed));
              setBad(undefined);
            } catch {
              setBad("Not JSON yet: objects and lists are written as JSON, with expressions as strings beginning with =.");
            }
          } else {
            setBad(undefined);
            onChange(t);
          }
        }}
      />
    </Frame>
  );
}

export function NamesField({ spec, value, disabled, onChange }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const [text, setText] = useText(value, (v) => (Array.isArray(v) ? v.join(", ") : ""));
  return (
    <Frame id={id} spec={spec} helpId={helpId}>
      <input
        id={id}
        type="text"
        value={text}
        disabled={disabled}
        aria-describedby={spec.help ? helpId : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const names = e.target.value
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
          onChange(names.length ? names : undefined);
        }}
      />
    </Frame>
  );
}

export function ChoiceField({ spec, value, disabled, onChange }: FieldProps) {
  const id = useId();
  return (
    <Frame id={id} spec={spec} helpId={`${id}-help`}>
      <select id={id} value={typeof value === "string" ? value : ""} disabled={disabled} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}>
        <option value="">(default)</option>
        {spec.choices?.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </Frame>
  );
}

const RETRY_FIELDS: { key: string; label: string; type: "duration" | "number" | "names" }[] = [
  { key: "initialInterval", label: "Initial interval", type: "duration" },
  { key: "backoffCoefficient", label: "Backoff coefficient", type: "number" },
  { key: "maximumInterval", label: "Maximum interval", type: "duration" },
  { key: "maximumAttempts", label: "Maximum attempts (0: no limit)", type: "number" },
  { key: "nonRetryableErrors", label: "Errors not retried", type: "names" },
];

export function RetryField({ spec, value, disabled, onChange }: FieldProps) {
  const policy = (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const set = (key: string, v: unknown) => {
    const next: Record<string, unknown> = { ...policy };
    if (v === undefined) delete next[key];
    else next[key] = v;
    onChange(Object.keys(next).length ? next : undefined);
  };
  return (
    <fieldset className="fieldset dfieldset">
      <legend>{spec.label}</legend>
      {RETRY_FIELDS.map((f) =>
        f.type === "names" ? (
          <NamesField key={f.key} spec={{ key: f.key, label: f.label, type: "names" }} value={policy[f.key]} disabled={disabled} onChange={(v) => set(f.key, v)} />
        ) : f.type === "number" ? (
          <NumberField key={f.key} label={f.label} value={policy[f.key]} disabled={disabled} onChange={(v) => set(f.key, v)} />
        ) : (
          <TextField key={f.key} spec={{ key: f.key, label: f.label, type: "duration" }} value={policy[f.key]} disabled={disabled} onChange={(v) => set(f.key, v)} />
        ),
      )}
      {spec.help ? <p className="hint">{spec.help}</p> : null}
    </fieldset>
  );
}

function NumberField({ label, value, disabled, onChange }: { label: string; value: unknown; disabled: boolean; onChange: (v: unknown) => void }) {
  const id = useId();
  const [text, setText] = useText(value, asText);
  const bad = text.trim() !== "" && !Number.isFinite(Number(text));
  return (
    <div className="field dfield">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        className="mono"
        value={text}
        disabled={disabled}
        aria-invalid={bad || undefined}
        onChange={(e) => {
          setText(e.target.value);
          const t = e.target.value.trim();
          if (t === "") onChange(undefined);
          else if (Number.isFinite(Number(t))) onChange(Number(t));
        }}
      />
      {bad ? <p className="field-problem">A number.</p> : null}
    </div>
  );
}

interface Condition {
  handle: string;
  when: string;
}

export function ConditionsField({ spec, value, disabled, onChange, problems, scope }: FieldProps) {
  const conditions = (Array.isArray(value) ? value : []) as Condition[];
  const set = (i: number, patch: Partial<Condition>) => onChange(conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <fieldset className="fieldset dfieldset">
      <legend>{spec.label}</legend>
      {problems?.length ? <p className="field-problem">{problems[0]}</p> : null}
      <ol className="conditions">
        {conditions.map((c, i) => (
          <li key={i}>
            <TextField spec={{ key: "handle", label: `Handle ${i + 1}`, type: "text", required: true }} value={c.handle} disabled={disabled} onChange={(v) => set(i, { handle: String(v ?? "") })} />
            <TextField spec={{ key: "when", label: `When ${i + 1}`, type: "expression", required: true }} value={c.when} disabled={disabled} scope={scope} onChange={(v) => set(i, { when: String(v ?? "") })} />
            <button type="button" className="button button-small button-quiet" disabled={disabled || conditions.length <= 1} onClick={() => onChange(conditions.filter((_, j) => j !== i))}>
              Remove condition {i + 1}
            </button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="button button-small"
        disabled={disabled}
        onClick={() => {
          const taken = new Set(conditions.map((c) => c.handle));
          let n = conditions.length + 1;
          while (taken.has(`case-${n}`)) n++;
          onChange([...conditions, { handle: `case-${n}`, when: "=true" }]);
        }}
      >
        Add a condition
      </button>
      {spec.help ? <p className="hint">{spec.help}</p> : null}
    </fieldset>
  );
}
