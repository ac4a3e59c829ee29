"use client";
// A step's input as a form generated from its activity's input schema (@rjsf/core). Every field
// may also hold an expression (a text beginning with =): the form edits each field as text and
// turns it back into its schema's type (a number, a boolean, JSON) unless it is an expression.

import Form from "@rjsf/core";
import type { RJSFSchema, UiSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useMemo } from "react";
import type { InputFormProps } from "./editors.ts";

type Schema = { type?: string | string[]; title?: string; description?: string; properties?: Record<string, Schema>; required?: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The schema with each property as text, its original type said in its description. */
function asText(schema: Schema): { schema: RJSFSchema; types: Map<string, string> } {
  const types = new Map<string, string>();
  const properties: Record<string, RJSFSchema> = {};
  for (const [key, p] of Object.entries(schema.properties ?? {})) {
    const type = Array.isArray(p.type) ? p.type[0] : (p.type ?? "string");
    types.set(key, type);
    properties[key] = { type: "string", title: p.title ?? key, description: `${type === "string" ? "Text" : `A ${type}`}, or an expression: =input.${key}` };
  }
  return { schema: { type: "object", properties }, types };
}

function toText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function fromText(text: string | undefined, type: string): unknown {
  if (text === undefined || text === "") return undefined;
  if (text.startsWith("=")) return text;
  if (type === "number" || type === "integer") return Number.isFinite(Number(text)) ? Number(text) : text;
  if (type === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (type === "object" || type === "array") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

const UI: UiSchema = { "ui:submitButtonOptions": { norender: true }, "ui:title": "Input" };

export default function InputForm({ schema, value, disabled, onChange }: InputFormProps) {
  const { schema: textSchema, types } = useMemo(() => asText((isObject(schema) ? schema : {}) as Schema), [schema]);
  if (types.size === 0) return null;
  const formData = Object.fromEntries([...types.keys()].map((k) => [k, isObject(value) ? toText(value[k]) : undefined]).filter(([, v]) => v !== undefined));
  return (
    <div className="input-form">
      <Form
        schema={textSchema}
        uiSchema={UI}
        formData={formData}
        validator={validator}
        disabled={disabled}
        noHtml5Validate
        showErrorList={false}
        onChange={(e) => {
          const data = (e.formData ?? {}) as Record<string, string | undefined>;
          const next: Record<string, unknown> = isObject(value) ? { ...value } : {};
          for (const [key, type] of types) {
            const v = fromText(data[key], type);
            if (v === undefined) delete next[key];
            else next[key] = v;
          }
          onChange(Object.keys(next).length ? next : undefined);
        }}
      />
    </div>
  );
}
