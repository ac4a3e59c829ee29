// `weft compile DOC.json [-o OUT.ts] [--target weft|temporal]`: print or write the module; on
// errors, one `ERROR <id> <message>` line each and exit status 1, with nothing written.

import { writeFileSync } from "node:fs";
import { compile, TARGETS, type Target } from "../../compiler/compile.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
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
    if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, errors: result.diagnostics }, null, 2)}\n`);
    for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    // The contract wants the error lines themselves on a terminal; stdout stays empty.
    return 1;
  }
  if (options.output) writeFileSync(options.output, result.code);
  else if (!options.json) process.stdout.write(result.code);
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: true, name: result.name, hash: result.hash, target, output: options.output ?? null, ...(options.output ? {} : { code: result.code }) })}\n`);
  return 0;
}
