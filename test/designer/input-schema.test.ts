// The workflow's input schema as a form of fields (designer/input-schema.ts): the examples'
// schemas read as fields and write back byte-equal; a schema the form cannot show is refused
// with the reason (the designer then keeps it as it is); a field added in the form is an
// input the expressions' completion offers.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { setDocumentField } from "../../designer/edits.ts";
import { fieldInWords, fieldProblems, fieldsToSchema, fieldToRow, freshFieldName, newRow, rowsToFields, schemaToFields, type InputField } from "../../designer/input-schema.ts";
import { namesInScope } from "../../designer/scope.ts";
import { compile } from "../../compiler/compile.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const examples = readdirSync(path.join(root, "examples"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, doc: JSON.parse(readFileSync(path.join(root, "examples", f), "utf8")) as WorkflowDocument }));

const roundTrip = (schema: unknown) => {
  const read = schemaToFields(schema);
  if (!read.ok) throw new Error(read.reason);
  return fieldsToSchema(read.fields, schema);
};

describe("an input schema as a form of fields", () => {
  it.each(examples)("reads $file's schema and writes it back byte-equal, through the form's rows too", ({ doc }) => {
    expect(JSON.stringify(roundTrip(doc.inputSchema))).toBe(JSON.stringify(doc.inputSchema));
    const read = schemaToFields(doc.inputSchema);
    if (!read.ok) throw new Error(read.reason);
    const rows = rowsToFields(read.fields.map(fieldToRow));
    expect(rows.problems.size).toBe(0);
    expect(JSON.stringify(fieldsToSchema(rows.fields, doc.inputSchema))).toBe(JSON.stringify(doc.inputSchema));
  });

  it("takes the form's rows as typed: numbers checked, choices split, a new row named apart", () => {
    const first = newRow([]);
    const rows = [first, { ...newRow([first]), type: "integer" as const, minimum: "1.5", maximum: "x" }, { ...newRow([]), name: "kind", type: "choice" as const, choices: " car, home ,," }];
    expect(rows.map((r) => r.name)).toEqual(["field", "field2", "kind"]);
    const { fields, problems } = rowsToFields(rows);
    expect(problems.get(1)).toMatch(/not a number|whole number/);
    expect(fields[2]).toEqual({ name: "kind", type: "choice", required: false, choices: ["car", "home"] });
  });

  it("reads every type and limit the form shows, and writes them back byte-equal", () => {
    const schema = {
      type: "object",
      title: "Claim",
      properties: {
        note: { type: "string", description: "Anything to add" },
        amount: { type: "number", exclusiveMinimum: 0, maximum: 50000 },
        days: { type: "integer", minimum: 1, exclusiveMaximum: 30, default: 5 },
        urgent: { type: "boolean" },
        due: { type: "string", format: "date" },
        at: { format: "date-time", type: "string" },
        kind: { type: "string", enum: ["car", "home"] },
      },
      required: ["kind", "amount"],
      additionalProperties: false,
    };
    const read = schemaToFields(schema);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.fields.map(fieldInWords)).toEqual([
      "note: text, optional",
      "amount: number, required, more than 0, at most 50000",
      "days: whole number, optional, at least 1, less than 30",
      "urgent: yes or no, optional",
      "due: date, optional",
      "at: date and time, optional",
      "kind: list of choices, required, one of car, home",
    ]);
    expect(JSON.stringify(fieldsToSchema(read.fields, schema))).toBe(JSON.stringify(schema));
  });

  it("refuses, with the reason, a schema the form cannot show", () => {
    const cases: [unknown, RegExp][] = [
      [true, /not an object of fields/],
      [{ type: "array" }, /does not describe an object/],
      [{ type: "object", required: ["email"] }, /“email” is required but not described/],
      [{ type: "object", properties: { a: { type: "object", properties: {} } } }, /“a” is of type "object"/],
      [{ type: "object", properties: { a: { type: "string", pattern: "^x" } } }, /“a” uses “pattern”/],
      [{ type: "object", properties: { a: { type: ["string", "null"] } } }, /“a” is of type/],
      [{ type: "object", oneOf: [] }, /uses “oneOf”/],
      [{ type: "object", properties: { a: { type: "number", minimum: 1, exclusiveMinimum: 0 } } }, /two lower limits/],
    ];
    for (const [schema, reason] of cases) {
      const read = schemaToFields(schema);
      expect(read.ok, JSON.stringify(schema)).toBe(false);
      if (!read.ok) expect(read.reason).toMatch(reason);
    }
  });

  it("writes new fields in a plain order, no schema for no fields, and keeps an emptied schema's shape", () => {
    expect(fieldsToSchema([])).toBeUndefined();
    expect(schemaToFields(undefined)).toEqual({ ok: true, fields: [] });
    const fields: InputField[] = [
      { name: "email", type: "text", required: true, description: "Where to write" },
      { name: "size", type: "integer", required: false, minimum: 1 },
    ];
    expect(JSON.stringify(fieldsToSchema(fields))).toBe(
      JSON.stringify({ type: "object", properties: { email: { type: "string", description: "Where to write" }, size: { type: "integer", minimum: 1 } }, required: ["email"] }),
    );
    expect(fieldsToSchema([], { type: "object", properties: { a: { type: "string" } }, required: ["a"] })).toEqual({ type: "object", properties: {}, required: [] });
    // Renaming a field keeps it where it was; a field made optional leaves `required`.
    const renamed = fieldsToSchema([{ ...fields[0], name: "mail", required: false }, fields[1]], fieldsToSchema(fields));
    expect(renamed).toEqual({ type: "object", properties: { mail: { type: "string", description: "Where to write" }, size: { type: "integer", minimum: 1 } }, required: [] });
  });

  it("names what is wrong with a list of fields", () => {
    const problems = fieldProblems([
      { name: "ok", type: "text", required: false },
      { name: "ok", type: "text", required: false },
      { name: "2x", type: "text", required: false },
      { name: "c", type: "choice", required: false, choices: [] },
      { name: "n", type: "number", required: false, minimum: 5, maximum: 1 },
    ]);
    expect([...problems.keys()]).toEqual([1, 2, 3, 4]);
    expect(problems.get(1)).toMatch(/Another field is named “ok”/);
    expect(freshFieldName([{ name: "field", type: "text", required: false }])).toBe("field2");
  });

  it("a field added in the form is offered by the expressions' completion, and compiles when used", () => {
    const transfer = examples.find((e) => e.file === "money-transfer.json")!.doc;
    const read = schemaToFields(transfer.inputSchema);
    if (!read.ok) throw new Error(read.reason);
    const schema = fieldsToSchema([...read.fields, { name: "reference", type: "text", required: false }], transfer.inputSchema);
    const doc = setDocumentField(transfer, "inputSchema", schema);
    const end = doc.nodes.find((n) => n.type === "end")!;
    expect(namesInScope(doc, end.id).input).toEqual(["from", "to", "amount", "reference"]);
    const using = { ...doc, nodes: doc.nodes.map((n) => (n.id === end.id ? { ...n, result: { reference: "=input.reference" } } : n)) } as WorkflowDocument;
    const compiled = compile(using);
    expect(compiled.ok, compiled.ok ? "" : JSON.stringify(compiled.diagnostics)).toBe(true);
  });
});
