// Compiler diagnostics are values: a stable code, the id of the node or edge they concern,
// and a message that says what to do next. All of them are collected before failing.

export type DiagnosticCode =
  // The document's shape (JSON Schema).
  | "SCHEMA"
  // Identity and wiring.
  | "START_COUNT"
  | "DUPLICATE_ID"
  | "EDGE_UNKNOWN_SOURCE"
  | "EDGE_UNKNOWN_TARGET"
  | "HANDLE_UNKNOWN"
  | "HANDLE_MISSING"
  | "HANDLE_DUPLICATE"
  | "EDGE_INTO_START"
  | "UNREACHABLE"
  | "DEAD_END"
  | "DUPLICATE_OUTPUT"
  | "RESERVED_NAME"
  // Fields.
  | "BAD_DURATION"
  | "BAD_ACTIVITY_NAME"
  | "BAD_NAME"
  | "BAD_INPUT_SCHEMA"
  // Expressions (see compiler/expressions.ts for the finer codes).
  | "EXPRESSION";

export interface Diagnostic {
  code: DiagnosticCode;
  /** The id of the node or edge at fault; the document's name for document-level problems. */
  id: string;
  message: string;
  /** Where in the node or edge, e.g. "input.amount" or "conditions[0].when". */
  field?: string;
  /** For expression errors, the finer code from the expression checker. */
  detail?: string;
}

export class DiagnosticList {
  readonly items: Diagnostic[] = [];
  add(code: DiagnosticCode, id: string, message: string, extra: Pick<Diagnostic, "field" | "detail"> = {}): void {
    this.items.push({ code, id, message, ...extra });
  }
}

/** One line per diagnostic, as `weft compile` prints them. */
export function formatDiagnostic(d: Diagnostic): string {
  return `ERROR ${describeDiagnostic(d)}`;
}

/** A diagnostic in words: the id of what is wrong, then the field and the message. */
export function describeDiagnostic(d: Diagnostic): string {
  return `${d.id} ${d.field ? `${d.field}: ` : ""}${d.message}`;
}
