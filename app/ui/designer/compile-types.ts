// What the designer and its compile worker say to each other.

import type { Diagnostic } from "../../../compiler/diagnostics.ts";
import type { LineRange } from "../../../compiler/node-lines.ts";

export type Target = "weft" | "temporal";

export interface CompileRequest {
  id: number;
  document: unknown;
  target: Target;
}

export type CompileReply =
  | { id: number; ok: true; code: string; hash: string; lines: [string, LineRange[]][]; diagnostics: []; ms: number }
  | { id: number; ok: false; diagnostics: Diagnostic[]; ms: number };
