// Type-checks generated modules the way a developer's project would: TypeScript `strict`, the
// `weft` target against the engine's context types (`weft/workflow`), the `temporal` target
// against `@temporalio/workflow` from this package's node_modules. The files are written to a
// temporary directory under test/.tmp/ (git-ignored) so that node resolution finds
// node_modules, and removed afterwards.

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tmpRoot = path.join(root, "test/.tmp");

export const TYPECHECK_OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  skipLibCheck: true,
  noEmit: true,
  // Only what the modules import, not every @types package of the project.
  types: [],
  paths: { "weft/workflow": [path.join(root, "engine/runtime/workflow-api.ts")] },
};

/**
 * Type-checks `files` (file name → TypeScript source; names may contain "/") together, as one
 * program. Returns the diagnostics as `file(line,col): message` lines; none means they pass.
 */
export function typecheck(files: Record<string, string>): string[] {
  fs.mkdirSync(tmpRoot, { recursive: true });
  const dir = fs.mkdtempSync(path.join(tmpRoot, "typecheck-"));
  try {
    const rootNames = Object.entries(files).map(([name, source]) => {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, source);
      return file;
    });
    const program = ts.createProgram({ rootNames, options: TYPECHECK_OPTIONS });
    return ts.getPreEmitDiagnostics(program).map((d) => formatDiagnostic(d, dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function formatDiagnostic(d: ts.Diagnostic, dir: string): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (!d.file || d.start === undefined) return message;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const name = d.file.fileName.startsWith(dir) ? path.relative(dir, d.file.fileName) : path.relative(root, d.file.fileName);
  return `${name}(${line + 1},${character + 1}): ${message}`;
}
