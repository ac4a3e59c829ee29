// Every check of a document, all reported at once: its shape (JSON Schema, via ajv), its wiring
// (one start, unique ids, known edge ends, handles, reachability, dead ends), its fields
// (names, durations, activity names) and its expressions (syntax, safety, scope).

import Ajv, { type ErrorObject } from "ajv";
import schema from "./workflow.schema.json" with { type: "json" };
import { DiagnosticList, type Diagnostic, type DiagnosticCode } from "./diagnostics.ts";
import { handlesOf, NODE_TYPES, PLAIN_HANDLE, type Value, type WorkflowDocument, type WorkflowNode } from "./document.ts";
import { parseDuration } from "./durations.ts";
import { checkExpression, isExpression, RESERVED_NAMES as EXPRESSION_RESERVED_NAMES, type CheckedExpression } from "./expressions.ts";
import { buildGraph, compareStrings, handleOf, reachable, type Graph } from "./graph.ts";
import { analyseScope, type Scope } from "./scope.ts";

/** Names expressions always see; an output variable may not take them. */
export const BUILTIN_NAMES = ["input", "workflow"] as const;

// Output variables become `let` bindings in generated code, beside these names.
const RESERVED_NAMES = new Set([
  ...BUILTIN_NAMES,
  // Names no expression can read (JavaScript globals such as Map, JSON, Error): a variable so
  // named would also shadow the global that generated code uses.
  ...EXPRESSION_RESERVED_NAMES,
  "ctx", "wf", "Math", "String", "Number", "Boolean", "addDuration", "startOfNextMonth",
  "undefined", "NaN", "Infinity", "eval", "arguments", "globalThis", "require", "process", "Date",
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
  "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
  "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
  "while", "with", "yield", "let", "static", "implements", "interface", "package", "private", "protected",
  "public", "await", "async", "of", "type", "any", "unknown", "never", "object", "string", "number", "boolean",
]);

export interface CheckedDocument {
  document: WorkflowDocument;
  graph: Graph;
  scope: Scope;
  /** Printed TypeScript of each expression, keyed by its source text without "=". */
  expressions: Map<string, string>;
}

export type ValidationResult =
  | { ok: true; checked: CheckedDocument }
  | { ok: false; diagnostics: Diagnostic[] };

let validateSchema: ReturnType<Ajv["compile"]> | undefined;
const DURATION_PATTERN = new RegExp(schema.definitions.duration.pattern);
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });

export function validate(raw: unknown): ValidationResult {
  const list = new DiagnosticList();
  validateSchema ??= ajv.compile(schema);
  if (!validateSchema(raw)) reportSchemaErrors(raw, validateSchema.errors ?? [], list);
  if (!isObject(raw) || !Array.isArray(raw.nodes) || !Array.isArray(raw.edges)) {
    return { ok: false, diagnostics: list.items };
  }
  // Check the wiring of whatever is well-formed enough to have an id, even when other parts
  // of the document are broken, so that one pass shows every problem.
  const doc = {
    ...raw,
    // A node of an unknown type (reported by the schema) has no handles to check.
    nodes: raw.nodes.filter((n): n is WorkflowNode => isObject(n) && hasId(n) && NODE_TYPES.includes(n.type)),
    edges: raw.edges.filter((e) => isObject(e) && hasId(e) && typeof e.source === "string" && typeof e.target === "string"),
  } as WorkflowDocument;
  const docId = typeof doc.name === "string" && doc.name !== "" ? doc.name : "document";
  // Nodes of an unknown type (a misspelt "stepp", a kind this compiler does not know): the
  // schema reports each once, and that is the root cause. Their edges are not reported as
  // pointing nowhere, nor the nodes after them as unreachable: an edge through one counts as
  // reaching on.
  const unknowns = raw.nodes.filter((n): n is Record<string, any> => isObject(n) && hasId(n) && !NODE_TYPES.includes(n.type));
  const unknownTyped = new Set<string>(unknowns.map((n) => n.id as string));
  // Their outputs, for the nodes beyond them: a variable one would define is not unknown.
  const unknownOutputs = unknowns.map((n) => n.output).filter((o): o is string => typeof o === "string");

  checkInputSchema(doc, docId, list);
  checkIds(doc, list);
  const graph = buildGraph(doc);
  checkEdges(doc, graph, list, unknownTyped);
  checkReachability(graph, list, doc, unknownTyped);
  checkFields(doc, list);
  const expressions = checkExpressions(graph, list, unknownOutputs);
  if (list.items.length > 0) return { ok: false, diagnostics: dedupe(list.items) };
  return { ok: true, checked: { document: doc, graph, scope: expressions.scope, expressions: expressions.code } };
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An item with an id a diagnostic can name; one without (or with "") is named by its path. */
function hasId(item: Record<string, any>): boolean {
  return typeof item.id === "string" && item.id !== "";
}

function dedupe(items: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return items.filter((d) => {
    const key = `${d.code}\u0000${d.id}\u0000${d.field ?? ""}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Shape

function reportSchemaErrors(raw: unknown, errors: ErrorObject[], list: DiagnosticList): void {
  const root = isObject(raw) ? raw : {};
  const docId = typeof root.name === "string" && root.name !== "" ? root.name : "document";
  for (const error of errors) {
    // `if` failures only say which `then` applied; the `then` errors themselves are reported.
    if (error.keyword === "if") continue;
    // Nor do the failures of each alternative of a `oneOf`: its own error says what to do.
    if (error.schemaPath.includes("/oneOf/")) continue;
    const segments = error.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    // A missing or unknown field is named as the field.
    const named = error.keyword === "required" ? error.params.missingProperty : error.keyword === "additionalProperties" ? error.params.additionalProperty : undefined;
    if (typeof named === "string") segments.push(named);
    let id = docId;
    let rest = segments;
    if ((segments[0] === "nodes" || segments[0] === "edges") && segments.length >= 2) {
      const item = (root[segments[0]] as unknown[])[Number(segments[1])];
      id = isObject(item) && hasId(item) ? item.id : `${segments[0]}[${segments[1]}]`;
      rest = segments.slice(2);
    }
    const field = rest.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join("") || undefined;
    list.add(codeForSchemaError(field, error), id, schemaMessage(error), field ? { field } : {});
  }
}

function codeForSchemaError(field: string | undefined, error: ErrorObject): DiagnosticCode {
  if (error.keyword !== "pattern") return "SCHEMA";
  const last = field?.split(".").pop() ?? "";
  if (last === "activity") return "BAD_ACTIVITY_NAME";
  if (["timeout", "duration", "initialInterval", "maximumInterval"].includes(last)) return "BAD_DURATION";
  if (field === "name" || last === "output") return "BAD_NAME";
  return "SCHEMA";
}

function schemaMessage(error: ErrorObject): string {
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  switch (error.keyword) {
    case "required":
      return `is missing the required field "${error.params.missingProperty}"`;
    case "additionalProperties":
      return `has an unknown field "${error.params.additionalProperty}": remove it or check its spelling`;
    case "pattern":
      return description ? `must be ${lowerFirst(description)}` : `does not have the expected form (${error.params.pattern})`;
    case "enum":
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "type":
      return `must be of type ${error.params.type}`;
    case "oneOf":
      return "needs exactly one of the alternatives (a timer takes either \"duration\" or \"until\")";
    case "not":
      return "uses a reserved value (\"else\" is added by the branch itself)";
    default:
      return error.message ?? "is not valid";
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/**
 * What checking an input schema said, by the schema's JSON: each check compiles it in a fresh
 * Ajv (so that no two documents' schemas meet), and a fresh Ajv compiles its meta-schema first,
 * which costs more than checking a whole small document. A document keeps its input schema
 * while it is edited and compiled again and again.
 */
const inputSchemaOutcomes = new Map<string, string | undefined>();

function checkInputSchema(doc: WorkflowDocument, docId: string, list: DiagnosticList): void {
  if (doc.inputSchema === undefined || !isObject(doc.inputSchema)) return;
  let key: string | undefined;
  try {
    key = JSON.stringify(doc.inputSchema);
  } catch {
    key = undefined;
  }
  let error = key === undefined ? undefined : inputSchemaOutcomes.get(key);
  if (key === undefined || !inputSchemaOutcomes.has(key)) {
    try {
      new Ajv({ strict: false }).compile(doc.inputSchema);
      error = undefined;
    } catch (err) {
      error = (err as Error).message;
    }
    if (key !== undefined) {
      if (inputSchemaOutcomes.size >= 64) inputSchemaOutcomes.delete(inputSchemaOutcomes.keys().next().value!);
      inputSchemaOutcomes.set(key, error);
    }
  }
  if (error !== undefined) {
    list.add("BAD_INPUT_SCHEMA", docId, `inputSchema is not a valid JSON Schema: ${error}`, {
      field: "inputSchema",
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring

function checkIds(doc: WorkflowDocument, list: DiagnosticList): void {
  const seen = new Map<string, string>();
  for (const [kind, items] of [["node", doc.nodes], ["edge", doc.edges]] as const) {
    for (const item of items) {
      const previous = seen.get(item.id);
      if (previous) list.add("DUPLICATE_ID", item.id, `is used by more than one ${previous === kind ? kind : "node or edge"}: give each its own id`);
      else seen.set(item.id, kind);
    }
  }
  // The first start in id order is the graph's start (graph.ts); the others are the extras.
  const starts = doc.nodes.filter((n) => n.type === "start").sort((a, b) => compareStrings(a.id, b.id));
  const docId = doc.name || "document";
  if (starts.length === 0) list.add("START_COUNT", docId, "has no start node: add exactly one node of type \"start\"");
  for (const extra of starts.slice(1)) list.add("START_COUNT", extra.id, "is a second start node: a workflow has exactly one");
}

function checkEdges(doc: WorkflowDocument, graph: Graph, list: DiagnosticList, unknownTyped: ReadonlySet<string>): void {
  const used = new Map<string, string>();
  for (const edge of [...doc.edges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const source = graph.nodes.get(edge.source);
    const target = graph.nodes.get(edge.target);
    if (!source && !unknownTyped.has(edge.source)) list.add("EDGE_UNKNOWN_SOURCE", edge.id, `starts at "${edge.source}", which is not a node of this workflow`);
    if (!target && !unknownTyped.has(edge.target)) list.add("EDGE_UNKNOWN_TARGET", edge.id, `points at "${edge.target}", which is not a node of this workflow`);
    if (target?.type === "start") list.add("EDGE_INTO_START", edge.id, "points into the start node: nothing may lead back to start");
    if (!source) continue;
    const handle = handleOf(edge);
    const { allowed } = handlesOf(source);
    if (!allowed.includes(handle)) {
      list.add("HANDLE_UNKNOWN", edge.id, unknownHandleMessage(source, handle, allowed));
      continue;
    }
    const key = `${edge.source}\u0000${handle}`;
    const first = used.get(key);
    if (first) list.add("HANDLE_DUPLICATE", edge.id, `leaves "${edge.source}"${handleWords(handle)} like edge "${first}": one handle leads to one node`);
    else used.set(key, edge.id);
  }
  for (const id of graph.ids) {
    const node = graph.nodes.get(id)!;
    for (const handle of handlesOf(node).required) {
      if (used.has(`${id}\u0000${handle}`)) continue;
      if (handle === PLAIN_HANDLE) list.add("DEAD_END", id, "has no outgoing edge, so its path stops here: connect it to the next node or to an end");
      else list.add("HANDLE_MISSING", id, `needs an edge from its "${handle}" handle${missingReason(node, handle)}`);
    }
  }
}

function unknownHandleMessage(node: WorkflowNode, handle: string, allowed: string[]): string {
  if (node.type === "end") return `leaves the end node "${node.id}": an end has no outgoing edges`;
  const names = allowed.map((h) => (h === PLAIN_HANDLE ? "the plain handle" : `"${h}"`)).join(", ");
  return `leaves "${node.id}"${handleWords(handle)}, which a ${node.type} node does not have (it has ${names})`;
}

function handleWords(handle: string): string {
  return handle === PLAIN_HANDLE ? " by its plain handle" : ` by the handle "${handle}"`;
}

function missingReason(node: WorkflowNode, handle: string): string {
  if (handle === "timeout") return " because it has a timeout";
  if (node.type === "branch" && handle === "else") return ", taken when no condition holds";
  if (node.type === "branch") return ", for its condition of that name";
  return "";
}

function checkReachability(graph: Graph, list: DiagnosticList, doc: WorkflowDocument, unknownTyped: ReadonlySet<string>): void {
  if (!graph.start) return;
  const seen = new Set(reachable(graph));
  if (unknownTyped.size > 0) {
    // On through the nodes of an unknown type (reported already): what lies beyond one is not
    // unreachable because of it.
    const out = new Map<string, string[]>();
    for (const e of doc.edges) {
      if (!graph.nodes.has(e.source) && !unknownTyped.has(e.source)) continue;
      out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
    }
    const stack = [...seen];
    while (stack.length > 0) {
      for (const next of out.get(stack.pop()!) ?? []) {
        if (seen.has(next) || (!graph.nodes.has(next) && !unknownTyped.has(next))) continue;
        seen.add(next);
        stack.push(next);
      }
    }
  }
  for (const id of graph.ids) {
    if (!seen.has(id) && graph.nodes.get(id)!.type !== "start") {
      list.add("UNREACHABLE", id, "cannot be reached from start: connect an edge into it or delete it");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fields

function checkFields(doc: WorkflowDocument, list: DiagnosticList): void {
  for (const node of doc.nodes) {
    const output = "output" in node ? node.output : undefined;
    if (typeof output === "string" && RESERVED_NAMES.has(output)) {
      list.add("RESERVED_NAME", node.id, `uses the reserved name "${output}" for its output: choose another variable name`, { field: "output" });
    }
    if (node.type === "signal" && (node.signal === "approve" || node.signal === "decline")) {
      list.add("RESERVED_NAME", node.id, `waits for "${node.signal}", the signal approvals are decided with: use an approval node, or another signal name`, {
        field: "signal",
      });
    }
    const durations: [string, unknown][] = [];
    if (node.type === "step") {
      durations.push(["timeout", node.timeout], ["retry.initialInterval", node.retry?.initialInterval], ["retry.maximumInterval", node.retry?.maximumInterval]);
      const initial = parseDuration(node.retry?.initialInterval ?? "1s");
      const max = node.retry?.maximumInterval === undefined ? undefined : parseDuration(node.retry.maximumInterval);
      if (initial !== undefined && max !== undefined && max < initial) {
        list.add("BAD_DURATION", node.id, "has a retry maximumInterval shorter than its initialInterval", { field: "retry.maximumInterval" });
      }
    }
    if (node.type === "timer") durations.push(["duration", node.duration]);
    if (node.type === "approval" || node.type === "signal") durations.push(["timeout", node.timeout]);
    for (const [field, value] of durations) {
      // A value outside the schema's pattern has been reported by the schema already.
      if (typeof value !== "string" || !DURATION_PATTERN.test(value)) continue;
      const ms = parseDuration(value);
      if (ms === undefined) list.add("BAD_DURATION", node.id, `has "${value}", which is not a duration: write "500ms", "10s", "5m", "2h", "7d" or ISO 8601 such as "PT10S"`, { field });
      else if (ms === 0 && field !== "duration") list.add("BAD_DURATION", node.id, "has a zero duration: give it a positive length", { field });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** The places of a node that hold values or expressions, with their field names. */
export function valuesOf(node: WorkflowNode): [field: string, value: Value | undefined][] {
  switch (node.type) {
    case "step":
      return [["input", node.input]];
    case "timer":
      return [["until", node.until]];
    case "approval":
      return [["title", node.title], ["message", node.message]];
    case "branch":
      return Array.isArray(node.conditions) ? node.conditions.map((c, i) => [`conditions[${i}].when`, c?.when] as [string, Value]) : [];
    case "end":
      return [["result", node.result], ["error", node.error]];
    case "start":
    case "signal":
      return [];
  }
}

/** Every expression inside a value, with the path of the field that holds it. */
export function expressionsIn(value: Value | undefined, field: string): [field: string, source: string][] {
  if (isExpression(value)) return [[field, value.slice(1)]];
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionsIn(v, `${field}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.keys(value).sort().flatMap((k) => expressionsIn(value[k], `${field}.${k}`));
  }
  return [];
}

/**
 * The names in scope at a node, asked one at a time: listing them all for every node is
 * quadratic, so the full set is only built when the checker lists it (for an error's hint).
 */
function scopeAt(scope: Scope, id: string): ReadonlySet<string> {
  const has = (name: string) => (BUILTIN_NAMES as readonly string[]).includes(name) || scope.isDefinedAt(name, id);
  let all: ReadonlySet<string> | undefined;
  const list = () => (all ??= new Set([...BUILTIN_NAMES, ...scope.variablesAt(id)]));
  return {
    has,
    get size() {
      return list().size;
    },
    forEach: (fn, thisArg) => list().forEach((v) => fn.call(thisArg, v, v, list())),
    entries: () => list().entries(),
    keys: () => list().keys(),
    values: () => list().values(),
    [Symbol.iterator]: () => list()[Symbol.iterator](),
  } as ReadonlySet<string>;
}

/**
 * Expressions accepted so far, by their text, across documents and compiles: the designer
 * compiles its document again at every keystroke, and all but the edited expression are the
 * same text as before. An entry answers for a text wherever the variables it reads are in
 * scope (see below); the oldest go first beyond ACCEPTED_MAX.
 */
const accepted = new Map<string, CheckedExpression>();
const ACCEPTED_MAX = 20_000;

function checkExpressions(graph: Graph, list: DiagnosticList, unknownOutputs: readonly string[]): { scope: Scope; code: Map<string, string> } {
  const scope = analyseScope(graph);
  const code = new Map<string, string>();
  const live = new Set(reachable(graph));
  const everything = new Set<string>([...BUILTIN_NAMES, ...scope.variables, ...unknownOutputs]);
  for (const id of graph.ids) {
    const node = graph.nodes.get(id)!;
    for (const [field, value] of valuesOf(node)) {
      for (const [path, source] of expressionsIn(value, field)) {
        // Scope means nothing where no path leads; such nodes are reported as unreachable.
        const inScope = live.has(id) ? scopeAt(scope, id) : everything;
        // The same text accepted before (here or in an earlier compile) is accepted here when
        // the variables it reads are in scope here too: only the scope could change the answer.
        // Documents repeat expressions (`=input.orderId` in many steps), and parsing is most of
        // a compile's time.
        let checked = accepted.get(source);
        if (checked === undefined || !checked.variables.every((v) => inScope.has(v))) {
          checked = checkExpression(source, inScope);
          if (checked.issues.length === 0) {
            if (accepted.size >= ACCEPTED_MAX) accepted.delete(accepted.keys().next().value!);
            accepted.set(source, checked);
          }
        }
        for (const issue of checked.issues) {
          list.add("EXPRESSION", id, `${issue.message} (in \`${issue.fragment}\`)`, { field: path, detail: issue.code });
        }
        if (checked.issues.length === 0) code.set(source, checked.code);
      }
    }
  }
  return { scope, code };
}
