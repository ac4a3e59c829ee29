"use client";
// A run's events as they come, from the stream live-run.tsx follows to the view that paints
// them (run-view.tsx), with no trip to the server in between: the drawing, the scrubber and the
// history show an event within a frame of its arrival. One list of listeners per run.

import type { EventJson } from "../../engine/views.ts";

type Listener = (events: EventJson[]) => void;
const listeners = new Map<string, Set<Listener>>();

export function publish(workflowId: string, events: EventJson[]): void {
  for (const listener of listeners.get(workflowId) ?? []) listener(events);
}

export function subscribe(workflowId: string, listener: Listener): () => void {
  const set = listeners.get(workflowId) ?? new Set<Listener>();
  set.add(listener);
  listeners.set(workflowId, set);
  return () => {
    set.delete(listener);
    if (set.size === 0) listeners.delete(workflowId);
  };
}

/** The page's history with the events that came since, each once, in order. */
export function withFresh(history: EventJson[], fresh: readonly EventJson[]): EventJson[] {
  let last = history.length ? history[history.length - 1]!.seq : 0;
  const newer: EventJson[] = [];
  for (const e of fresh) {
    if (e.seq > last) {
      newer.push(e);
      last = e.seq;
    }
  }
  return newer.length ? [...history, ...newer] : history;
}
