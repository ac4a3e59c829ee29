// The compiler off the main thread: the designer posts each new document and gets back its
// diagnostics, or the module and where each node's code is in it. The same compile() the deploy
// runs, so what the designer accepts the deploy accepts.

import { compile, type Target } from "../../../compiler/compile.ts";
import type { CompileReply, CompileRequest } from "./compile-types.ts";

self.onmessage = (event: MessageEvent<CompileRequest>) => {
  const { id, document, target } = event.data;
  let reply: CompileReply;
  try {
    const started = performance.now();
    const result = compile(document, { target: target as Target });
    const ms = performance.now() - started;
    reply = result.ok
      ? { id, ok: true, code: result.code, hash: result.hash, lines: [...result.lines].map(([node, ranges]) => [node, ranges]), diagnostics: [], ms }
      : { id, ok: false, diagnostics: result.diagnostics, ms };
  } catch (err) {
    reply = { id, ok: false, diagnostics: [{ code: "SCHEMA", id: "document", message: `could not be checked: ${(err as Error).message}` }], ms: 0 };
  }
  (self as unknown as Worker).postMessage(reply);
};
