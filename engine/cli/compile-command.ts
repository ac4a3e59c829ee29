// `weft compile DOC.json [-o OUT.ts] [--target weft|temporal]`: print or write the module; on
// errors, one `ERROR <id> <message>` line each and exit status 1, with nothing written.

import { writeFileSync } from "node:fs";
import { compile, TARGETS, type Target } from "../../compiler/compile.ts";
import { describeDiagnostic, formatDiagnostic } from "../../compiler/diagnostics.ts";
import { readDocument } from "./read-document.ts";
import { UserError } from "./user-error.ts";

export interface CompileOptions {
  output?: string;
  target?: string;
  json?: boolean;
}

export function compileCommand(file: string, options: CompileOptions): number {
  const target = (options.target ?? "weft") as Target;
  if (!TARGETS.includes(target)) throw new UserError(`unknown target "${options.target}": use one of ${TARGETS.join(", ")}`);
  const document = readDocument(file);
  const result = compile(document, { target });
  if (!result.ok) {
    if (options.json) {
      // The one JSON document, in the shape every command's --json errors have (deploy's too):
      // { error: { code, message, errors: [{ id, message }] } } on stdout (main prints it).
      const name = typeof (document as { name?: unknown })?.name === "string" ? ` "${(document as { name: string }).name}"` : "";
      const n = result.diagnostics.length;
      throw new UserError(
        `workflow document${name} has ${n} error${n === 1 ? "" : "s"}: ${result.diagnostics.map(describeDiagnostic).join("; ")}`,
        "INVALID",
        result.diagnostics.map((d) => ({ id: d.id, message: d.field ? `${d.field}: ${d.message}` : d.message })),
        true,
      );
    }
    for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    // The contract wants the error lines themselves on a terminal; stdout stays empty.
    return 1;
  }
  if (options.output) writeFileSync(options.output, result.code);
  else if (!options.json) process.stdout.write(result.code);
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: true, name: result.name, hash: result.hash, target, output: options.output ?? null, ...(options.output ? {} : { code: result.code }) })}\n`);
  return 0;
}
