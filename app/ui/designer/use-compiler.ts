"use client";
// Live validation: one compile worker per page; each document is compiled as it changes and a
// reply older than the newest request is dropped.

import { useEffect, useRef, useState } from "react";
import type { CompileReply, CompileRequest, Target } from "./compile-types.ts";

export interface Compiled {
  /** The reply for the newest document, once it came. */
  reply?: CompileReply;
  /** The newest module that compiled, kept while the drawing has problems. */
  lastGood?: Extract<CompileReply, { ok: true }>;
  /** Whether a newer document is being compiled. */
  pending: boolean;
}

export function newWorker(): Worker {
  return new Worker(new URL("./compile-worker.ts", import.meta.url), { type: "module", name: "weft-compiler" });
}

/** Compiles `document` for `target` whenever either changes. */
export function useCompiler(document: unknown, target: Target): Compiled {
  const worker = useRef<Worker | null>(null);
  const latest = useRef(0);
  const [state, setState] = useState<Compiled>({ pending: true });

  useEffect(() => {
    const w = newWorker();
    worker.current = w;
    w.onmessage = (event: MessageEvent<CompileReply>) => {
      const reply = event.data;
      if (reply.id !== latest.current) return;
      setState((s) => ({ reply, lastGood: reply.ok ? reply : s.lastGood, pending: false }));
    };
    return () => {
      w.terminate();
      worker.current = null;
    };
  }, []);

  useEffect(() => {
    const id = ++latest.current;
    setState((s) => (s.pending ? s : { ...s, pending: true }));
    const request: CompileRequest = { id, document, target };
    // The worker is created in the effect above, which runs first.
    worker.current?.postMessage(request);
  }, [document, target]);

  return state;
}
