// What a run's page sends of the run's history, and how the page puts the whole history back
// together. A short history comes whole with the page. A long one (a run with 10,000 events)
// does not: the page brings its last events (the history's and timeline's first view, which
// open at their end) and the run painted as it stands, made on the server from the whole
// history; the page then fetches the whole history once it is drawn, for the scrubber's other
// frames and the rows further up. No React and no I/O.

import type { EventJson } from "../../engine/views.ts";
import { paintRun, type PaintEvent, type PaintPending, type RunPaint } from "../../designer/run-paint.ts";
import type { WorkflowDocument } from "../../compiler/document.ts";

/** Histories up to this many events come whole with the page. */
export const WHOLE_UP_TO = 500;
/** Of a longer one, the page brings this many last events, and this many last timeline bars. */
export const TAIL = 200;

/** The history as the page sends it: `events` are events `offset` to `offset + events.length - 1` of `total`. */
export interface HistoryWindow {
  total: number;
  offset: number;
  events: EventJson[];
  /** The time of the first event. */
  firstAt?: string;
  /** With a part of the history: the run painted after all of it, with its last bars only. */
  paint?: WindowPaint;
}

/** A run's painting with the last of its bars: `bars` are bars `barsFrom` to `barsFrom + bars.length - 1` of `barCount`. */
export interface WindowPaint extends RunPaint {
  barsFrom: number;
  barCount: number;
}

/** The window of `history` a run's page sends, painted with `pending` and `now` when it is a part. */
export function historyWindow(
  doc: Pick<WorkflowDocument, "nodes" | "edges"> | undefined,
  history: EventJson[],
  options: { pending?: readonly PaintPending[]; now?: string; wholeUpTo?: number; tail?: number } = {},
): HistoryWindow {
  const { wholeUpTo = WHOLE_UP_TO, tail = TAIL } = options;
  const total = history.length;
  const firstAt = history[0]?.at;
  if (total <= wholeUpTo) return { total, offset: 0, events: history, ...(firstAt ? { firstAt } : {}) };
  const paint = paintRun(doc, history as unknown as PaintEvent[], { pending: options.pending, now: options.now });
  const barsFrom = Math.max(0, paint.bars.length - tail);
  return {
    total,
    offset: total - tail,
    events: history.slice(total - tail),
    ...(firstAt ? { firstAt } : {}),
    paint: { ...paint, bars: paint.bars.slice(barsFrom), barsFrom, barCount: paint.bars.length },
  };
}

/**
 * The whole history, from what the page knew (`known`, a whole history, or nothing) and a window
 * the server sent: the known events before the window, then the window's, when the two meet (the
 * same run's, the known ones reaching the window's first); else undefined (it is to be fetched).
 * The known history is kept when it is ahead of the window (events the stream brought since).
 */
export function wholeHistory(known: readonly EventJson[] | undefined, window: Pick<HistoryWindow, "offset" | "events">): EventJson[] | undefined {
  const { offset, events } = window;
  if (offset === 0) return events;
  if (!known || known.length < offset) return undefined;
  if (known.length > offset && known[offset]!.seq !== events[0]?.seq) return undefined;
  if (known.length >= offset + events.length) return known as EventJson[];
  return [...known.slice(0, offset), ...events];
}
