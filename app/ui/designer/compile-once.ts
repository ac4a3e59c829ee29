// A one-off compile (an import's check, an export's module) in a worker of its own.

import type { CompileReply, CompileRequest, Target } from "./compile-types.ts";
import { newWorker } from "./use-compiler.ts";

export function compileOnce(document: unknown, target: Target): Promise<CompileReply> {
  return new Promise((resolve, reject) => {
    const w = newWorker();
    w.onmessage = (event: MessageEvent<CompileReply>) => {
      resolve(event.data);
      w.terminate();
    };
    w.onerror = (event) => {
      reject(new Error(event.message || "the compiler could not run"));
      w.terminate();
    };
    w.postMessage({ id: 1, document, target } satisfies CompileRequest);
  });
}
