"use client";
// Live validation: one compile worker per page; each document is compiled as it changes and a
// reply older than the newest request is dropped.

import { useCallback, useEffect, useRef, useState } from "react";
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

/**
 * Compiles `document` for `target` whenever either changes. `check(next)` sends a document at
 * once, before React has drawn it: an edit calls it, so that the worker compiles while the page
 * renders the edit (the effect then finds that document sent and sends nothing).
 */
export function useCompiler(document: unknown, target: Target): Compiled & { check: (next: unknown) => void } {
  const worker = useRef<Worker | null>(null);
  const latest = useRef(0);
  const sent = useRef<{ document: unknown; target: Target } | null>(null);
  const targetRef = useRef(target);
  targetRef.current = target;
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
      sent.current = null;
    };
  }, []);

  const check = useCallback((next: unknown) => {
    const w = worker.current;
    if (!w || (sent.current?.document === next && sent.current?.target === targetRef.current)) return;
    sent.current = { document: next, target: targetRef.current };
    const request: CompileRequest = { id: ++latest.current, document: next, target: targetRef.current };
    w.postMessage(request);
    setState((s) => (s.pending ? s : { ...s, pending: true }));
  }, []);

  // The worker is created in the effect above, which runs first.
  useEffect(() => check(document), [document, target, check]);

  return { ...state, check };
}
