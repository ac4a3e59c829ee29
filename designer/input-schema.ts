// A workflow's input schema as a list of fields a person edits in a form (name, type, required,
// description, simple limits), and back. Only what the form shows round-trips: a schema using
// anything else (nested objects, lists, patterns, combinators) is not a field list, and the
// designer keeps it as it is and offers JSON instead, so that nothing is ever dropped unseen.
// Written back, a schema keeps the key order it came with, so an unedited one is byte-equal.

import type { JsonValue } from "../compiler/document.ts";

export type InputFieldType = "text" | "number" | "integer" | "boolean" | "date" | "datetime" | "choice";

export interface InputField {
  name: string;
  type: InputFieldType;
  required: boolean;
  description?: string;
  /** Numbers: the lowest value; `minimumExclusive` when the value must be more than it. */
  minimum?: number;
  minimumExclusive?: boolean;
  maximum?: number;
  maximumExclusive?: boolean;
  /** A list of choices: the values allowed. */
  choices?: string[];
  /** Keys the form does not edit but keeps (a title, a default, examples), as they were. */
  extra?: Record<string, JsonValue>;
}

export const INPUT_FIELD_TYPES: readonly { type: InputFieldType; label: string }[] = [
  { type: "text", label: "Text" },
  { type: "number", label: "Number" },
  { type: "integer", label: "Whole number" },
  { type: "boolean", label: "Yes or no" },
  { type: "date", label: "Date" },
  { type: "datetime", label: "Date and time" },
  { type: "choice", label: "List of choices" },
];

export const typeLabel = (t: InputFieldType) => INPUT_FIELD_TYPES.find((x) => x.type === t)?.label ?? t;

export type SchemaFields = { ok: true; fields: InputField[] } | { ok: false; reason: string };

/** Top-level keys kept as they are (they describe the schema, the form does not edit them). */
const KEPT_TOP = new Set(["$schema", "$id", "title", "description", "additionalProperties", "$comment"]);
/** Keys of a field kept as they are. */
const KEPT_FIELD = new Set(["title", "default", "examples", "$comment"]);

const isObject = (v: unknown): v is Record<string, JsonValue> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function fieldOf(name: string, raw: unknown, required: boolean): InputField | string {
  if (!isObject(raw)) return `the field “${name}” is not described by an object`;
  const field: InputField = { name, type: "text", required };
  const extra: Record<string, JsonValue> = {};
  const t = raw.type;
  const allowed = new Set(["type", "description"]);
  if (t === "string") {
    if (raw.enum !== undefined) {
      if (!Array.isArray(raw.enum) || raw.enum.length === 0 || !raw.enum.every((c) => typeof c === "string")) return `the choices of “${name}” are not a list of texts`;
      field.type = "choice";
      field.choices = [...(raw.enum as string[])];
      allowed.add("enum");
    } else if (raw.format === "date" || raw.format === "date-time") {
      field.type = raw.format === "date" ? "date" : "datetime";
      allowed.add("format");
    }
  } else if (t === "number" || t === "integer") {
    field.type = t;
    for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
      if (raw[k] === undefined) continue;
      if (!isNumber(raw[k])) return `the limit ${k} of “${name}” is not a number`;
      allowed.add(k);
    }
    if (raw.minimum !== undefined && raw.exclusiveMinimum !== undefined) return `“${name}” has two lower limits`;
    if (raw.maximum !== undefined && raw.exclusiveMaximum !== undefined) return `“${name}” has two upper limits`;
    const min = (raw.minimum ?? raw.exclusiveMinimum) as number | undefined;
    const max = (raw.maximum ?? raw.exclusiveMaximum) as number | undefined;
    if (min !== undefined) field.minimum = min;
    if (raw.exclusiveMinimum !== undefined) field.minimumExclusive = true;
    if (max !== undefined) field.maximum = max;
    if (raw.exclusiveMaximum !== undefined) field.maximumExclusive = true;
  } else if (t === "boolean") {
    field.type = "boolean";
  } else {
    return `the field “${name}” is ${t === undefined ? "of no single type" : `of type ${JSON.stringify(t)}`}, which the form does not edit`;
  }
  if (raw.description !== undefined) {
    if (typeof raw.description !== "string") return `the description of “${name}” is not a text`;
    field.description = raw.description;
  }
  for (const [k, v] of Object.entries(raw)) {
    if (allowed.has(k)) continue;
    if (KEPT_FIELD.has(k)) extra[k] = v;
    else return `the field “${name}” uses “${k}”, which the form does not edit`;
  }
  if (Object.keys(extra).length > 0) field.extra = extra;
  return field;
}

/** The fields of an input schema, or why the form cannot show it (then it is kept as it is). */
export function schemaToFields(schema: unknown): SchemaFields {
  if (schema === undefined) return { ok: true, fields: [] };
  if (!isObject(schema)) return { ok: false, reason: "the schema is not an object of fields" };
  if (schema.type !== "object") return { ok: false, reason: "the schema does not describe an object of fields" };
  for (const k of Object.keys(schema)) {
    if (k !== "type" && k !== "properties" && k !== "required" && !KEPT_TOP.has(k)) return { ok: false, reason: `the schema uses “${k}”, which the form does not edit` };
  }
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== "boolean") return { ok: false, reason: "the schema describes its other fields, which the form does not edit" };
  const properties = schema.properties ?? {};
  if (!isObject(properties)) return { ok: false, reason: "the schema's properties are not an object" };
  const required = schema.required ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === "string")) return { ok: false, reason: "the schema's required fields are not a list of names" };
  const unknown = (required as string[]).find((r) => !Object.hasOwn(properties, r));
  if (unknown !== undefined) return { ok: false, reason: `the field “${unknown}” is required but not described` };
  if (new Set(required).size !== required.length) return { ok: false, reason: "a field is listed as required twice" };
  const fields: InputField[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const field = fieldOf(name, raw, (required as string[]).includes(name));
    if (typeof field === "string") return { ok: false, reason: field };
    fields.push(field);
  }
  return { ok: true, fields };
}

/** `next`'s keys in `previous`'s order where it had them, the new ones after. */
function inOrder<T extends Record<string, unknown>>(next: T, previous: unknown): T {
  if (!isObject(previous)) return next;
  const keys = [...Object.keys(previous).filter((k) => k in next), ...Object.keys(next).filter((k) => !(k in previous))];
  return Object.fromEntries(keys.map((k) => [k, next[k]])) as T;
}

function propertyOf(f: InputField): Record<string, JsonValue> {
  const p: Record<string, JsonValue> = {};
  switch (f.type) {
    case "text":
      p.type = "string";
      break;
    case "date":
    case "datetime":
      p.type = "string";
      p.format = f.type === "date" ? "date" : "date-time";
      break;
    case "choice":
      p.type = "string";
      p.enum = [...(f.choices ?? [])];
      break;
    case "number":
    case "integer":
      p.type = f.type;
      if (f.minimum !== undefined) p[f.minimumExclusive ? "exclusiveMinimum" : "minimum"] = f.minimum;
      if (f.maximum !== undefined) p[f.maximumExclusive ? "exclusiveMaximum" : "maximum"] = f.maximum;
      break;
    case "boolean":
      p.type = "boolean";
      break;
  }
  if (f.description !== undefined && f.description !== "") p.description = f.description;
  return { ...p, ...(f.extra ?? {}) };
}

/**
 * The schema of these fields. With `previous` (the schema they were read from), its other keys
 * and its key order are kept; no fields and no previous schema is no schema at all.
 */
export function fieldsToSchema(fields: readonly InputField[], previous?: unknown): JsonValue | undefined {
  if (fields.length === 0 && previous === undefined) return undefined;
  const before = isObject(previous) ? previous : {};
  const oldProps = isObject(before.properties) ? before.properties : {};
  const properties: Record<string, JsonValue> = {};
  for (const f of fields) properties[f.name] = inOrder(propertyOf(f), oldProps[f.name]);
  const names = new Set(fields.filter((f) => f.required).map((f) => f.name));
  const oldRequired = Array.isArray(before.required) ? (before.required as string[]) : [];
  const required = [...oldRequired.filter((r) => names.has(r)), ...fields.filter((f) => f.required && !oldRequired.includes(f.name)).map((f) => f.name)];
  const next: Record<string, JsonValue> = { type: "object" };
  if (fields.length > 0 || before.properties !== undefined) next.properties = properties;
  // An empty `required` is written only when the schema had one.
  if (required.length > 0 || Array.isArray(before.required)) next.required = required;
  for (const [k, v] of Object.entries(before)) if (KEPT_TOP.has(k)) next[k] = v;
  return inOrder(next, previous);
}

/** Whether `name` can name a field: an identifier, so that `input.name` reads it in expressions. */
export function isFieldName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** A field name not taken yet: field, field2, … */
export function freshFieldName(fields: readonly InputField[], base = "field"): string {
  const taken = new Set(fields.map((f) => f.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** What is wrong with a list of fields, per field index: empty or repeated names, choices missing, limits the wrong way round. */
export function fieldProblems(fields: readonly InputField[]): Map<number, string> {
  const problems = new Map<number, string>();
  const seen = new Map<string, number>();
  fields.forEach((f, i) => {
    if (!isFieldName(f.name)) problems.set(i, f.name === "" ? "A field needs a name." : `“${f.name}” is not a name expressions can read: letters, digits and _, not starting with a digit.`);
    else if (seen.has(f.name)) problems.set(i, `Another field is named “${f.name}”.`);
    else if (f.type === "choice" && (f.choices ?? []).length === 0) problems.set(i, "A list of choices needs at least one choice.");
    else if (f.minimum !== undefined && f.maximum !== undefined && f.minimum > f.maximum) problems.set(i, "The minimum is above the maximum.");
    seen.set(f.name, i);
  });
  return problems;
}

/** One line per field, in plain words: “amount: number, required, more than 0”. */
export function fieldInWords(f: InputField): string {
  const parts = [typeLabel(f.type).toLowerCase(), f.required ? "required" : "optional"];
  if (f.minimum !== undefined) parts.push(`${f.minimumExclusive ? "more than" : "at least"} ${f.minimum}`);
  if (f.maximum !== undefined) parts.push(`${f.maximumExclusive ? "less than" : "at most"} ${f.maximum}`);
  if (f.type === "choice") parts.push(`one of ${(f.choices ?? []).join(", ")}`);
  return `${f.name}: ${parts.join(", ")}`;
}

/** A field as the form holds it while it is typed: numbers and choices as text. */
export interface FieldRow {
  name: string;
  type: InputFieldType;
  required: boolean;
  description: string;
  minimum: string;
  minimumExclusive: boolean;
  maximum: string;
  maximumExclusive: boolean;
  /** The choices, separated by commas. */
  choices: string;
  extra?: Record<string, JsonValue>;
}

export function fieldToRow(f: InputField): FieldRow {
  return {
    name: f.name,
    type: f.type,
    required: f.required,
    description: f.description ?? "",
    minimum: f.minimum === undefined ? "" : String(f.minimum),
    minimumExclusive: f.minimumExclusive ?? false,
    maximum: f.maximum === undefined ? "" : String(f.maximum),
    maximumExclusive: f.maximumExclusive ?? false,
    choices: (f.choices ?? []).join(", "),
    ...(f.extra ? { extra: f.extra } : {}),
  };
}

/** A new field's row: optional text, named so as not to clash. */
export function newRow(rows: readonly FieldRow[]): FieldRow {
  const taken = new Set(rows.map((r) => r.name));
  let name = "field";
  for (let i = 2; taken.has(name); i++) name = `field${i}`;
  return { name, type: "text", required: false, description: "", minimum: "", minimumExclusive: false, maximum: "", maximumExclusive: false, choices: "" };
}

/** The rows as fields, or what is wrong with each row that is not one yet (then nothing is written). */
export function rowsToFields(rows: readonly FieldRow[]): { fields: InputField[]; problems: Map<number, string> } {
  const problems = new Map<number, string>();
  const fields = rows.map((r, i) => {
    const numeric = r.type === "number" || r.type === "integer";
    const limit = (text: string, what: string) => {
      if (!numeric || text.trim() === "") return undefined;
      const n = Number(text.trim());
      if (!Number.isFinite(n)) problems.set(i, `The ${what} is not a number.`);
      else if (r.type === "integer" && !Number.isInteger(n)) problems.set(i, `The ${what} of a whole number is a whole number.`);
      return n;
    };
    const field: InputField = { name: r.name.trim(), type: r.type, required: r.required };
    if (r.description.trim() !== "") field.description = r.description;
    const min = limit(r.minimum, "minimum");
    const max = limit(r.maximum, "maximum");
    if (min !== undefined) field.minimum = min;
    if (min !== undefined && r.minimumExclusive) field.minimumExclusive = true;
    if (max !== undefined) field.maximum = max;
    if (max !== undefined && r.maximumExclusive) field.maximumExclusive = true;
    if (r.type === "choice")
      field.choices = r.choices
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean);
    if (r.extra) field.extra = r.extra;
    return field;
  });
  for (const [i, p] of fieldProblems(fields)) if (!problems.has(i)) problems.set(i, p);
  return { fields, problems };
}
