// The compiler's entry point: a pure function from a document to a module or to every error.
// Same document in, byte-identical module out.

import { camelCase } from "./codegen/names.ts";
import { variableNames, type ModuleInfo } from "./codegen/module-info.ts";
import { generateTemporalModule } from "./codegen/temporal.ts";
import { generateWeftModule } from "./codegen/weft.ts";
import { DATE_HELPER_NAMES } from "./date-helpers.ts";
import type { Diagnostic } from "./diagnostics.ts";
import type { WorkflowDocument } from "./document.ts";
import { documentHash } from "./hash.ts";
import { nodeLineRanges, type LineRange } from "./node-lines.ts";
import { structure } from "./structure.ts";
import { validate } from "./validate.ts";
import { waitsOf, type Waits } from "./waits.ts";

export type Target = "weft" | "temporal";
export const TARGETS: readonly Target[] = ["weft", "temporal"];

export type CompileResult =
  | {
      ok: true;
      code: string;
      hash: string;
      name: string;
      document: WorkflowDocument;
      structured: boolean;
      /** The signals and approval nodes the workflow waits for (the engine stores them per version). */
      waits: Waits;
      /** Where each node's code is in `code`: its tagged blocks' line ranges (1-based). */
      lines: Map<string, LineRange[]>;
    }
  | { ok: false; diagnostics: Diagnostic[] };

const RESERVED_WORDS = new Set(["break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static", "await", "implements", "interface", "package", "private", "protected", "public"]);

export function compile(raw: unknown, options: { target?: Target } = {}): CompileResult {
  const target = options.target ?? "weft";
  const result = validate(raw);
  if (!result.ok) return { ok: false, diagnostics: result.diagnostics };
  const { checked } = result;
  const doc = checked.document;
  const shape = structure(checked.graph);
  const base = camelCase(doc.name);
  const info: ModuleInfo = {
    name: doc.name,
    title: doc.title?.replace(/\s+/g, " ").trim() || undefined,
    hash: documentHash(doc),
    functionName: functionNameFor(base, variableNames(checked)),
    resumable: shape.kind === "machine" || hasResumableLoop(shape),
    reserved: ["ctx", "input", "workflow", "wf", "resume", base],
  };
  const code = target === "temporal" ? generateTemporalModule(checked, shape, info) : generateWeftModule(checked, shape, info);
  const lines = nodeLineRanges(code, doc.nodes.map((n) => n.id));
  return { ok: true, code, hash: info.hash, name: doc.name, document: doc, structured: shape.kind === "structured", waits: waitsOf(doc), lines };
}

// Names a module declares or reads beside the workflow function (either target), which the
// function must not take: `export const hash`, `import * as wf`, the date helpers' functions,
// and the parameters and locals whose `typeof` the Temporal export's continue-as-new reads.
const MODULE_NAMES = new Set(["name", "hash", "wf", "ctx", "input", "workflow", "resume", ...DATE_HELPER_NAMES]);

/** The workflow function's name: the document's name, unless a keyword, module name or variable has it. */
function functionNameFor(base: string, variables: readonly string[]): string {
  const taken = (name: string) => RESERVED_WORDS.has(name) || MODULE_NAMES.has(name) || variables.includes(name);
  let name = taken(base) ? `${base}Workflow` : base;
  for (let i = 2; taken(name); i++) name = `${base}Workflow${i}`;
  return name;
}

function hasResumableLoop(shape: ReturnType<typeof structure>): boolean {
  return shape.kind === "structured" && shape.body.some((s) => s.kind === "loop" || s.kind === "guard");
}
