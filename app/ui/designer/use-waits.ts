"use client";
// Where the workflow's open runs wait, kept current for the drawing's badges: asked every few
// seconds while the tab is visible (and at once when it comes back), not at all while hidden or
// while the badges are off. A failed poll keeps the last answer; the next one tries again. An
// answer that would draw the same badges (designer/waits.ts sameWaits) keeps the last one too,
// so that the designer is not drawn again every few seconds for nothing.

import { useEffect, useState } from "react";
import type { WaitingNode } from "../../../engine/views.ts";
import { sameWaits } from "../../../designer/waits.ts";
import { callApi } from "../../lib/client-api.ts";

const EVERY_MS = 4000;

export function useWaits(name: string, enabled: boolean): { waiting: readonly WaitingNode[]; at: number } {
  const [state, setState] = useState<{ waiting: readonly WaitingNode[]; at: number }>({ waiting: [], at: 0 });
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    const poll = async () => {
      clearTimeout(timer);
      if (stopped || document.visibilityState !== "visible") return;
      if (!inFlight) {
        inFlight = true;
        const result = await callApi<WaitingNode[]>("GET", `/api/workflows/${encodeURIComponent(name)}/waiting`);
        inFlight = false;
        if (stopped) return;
        if (result.ok) {
          // An answer that draws the badges as they are keeps the one before: nothing re-renders.
          const next = { waiting: result.data, at: Date.now() };
          setState((before) => (before.at !== 0 && sameWaits(before, next) ? before : next));
        }
      }
      timer = setTimeout(() => void poll(), EVERY_MS);
    };
    const onVisibility = () => void poll();
    document.addEventListener("visibilitychange", onVisibility);
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [name, enabled]);
  return state;
}
