// What a run's page sends of a long history, and how the page puts the whole history back
// together (app/lib/run-window.ts), without a browser: a short history whole; a long one as its
// last events with the run painted after all of it (its last bars), the painting the same as
// the browser's from the whole history; the whole history from a page's earlier one and a new
// window, or from a fetched one, and nothing when they do not meet.

import { describe, expect, it } from "vitest";
import { historyWindow, wholeHistory } from "../../app/lib/run-window.ts";
import { paintRun, type PaintEvent } from "../../designer/run-paint.ts";
import type { EventJson } from "../../engine/views.ts";
import { PING_PONG } from "../engine/documents.ts";

/** The operate benchmark's run: the signal "ping" taken at ping and pong in turn. */
const PING = PING_PONG as never;

const at = (seq: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, 0, seq * 10)).toISOString();

function ping(events: number, from = 1): EventJson[] {
  const out: EventJson[] = [];
  for (let seq = from; seq < from + events; seq++) {
    const cmd = Math.floor(seq / 2);
    const nodeId = cmd % 2 === 1 ? "ping" : "pong";
    if (seq === 1) out.push({ seq, type: "WorkflowStarted", at: at(seq), name: "ping", version: 1, input: {} } as EventJson);
    else if (seq % 2 === 0) out.push({ seq, type: "SignalWaitStarted", at: at(seq), cmd, nodeId, signal: "ping" } as EventJson);
    else out.push({ seq, type: "SignalReceived", at: at(seq), cmd, nodeId, signal: "ping", payload: { n: cmd }, by: "ops" } as EventJson);
  }
  return out;
}

describe("a run page's history window", () => {
  it("sends a short history whole, without a painting", () => {
    const history = ping(500);
    const window = historyWindow(PING, history, { now: at(600) });
    expect(window).toEqual({ total: 500, offset: 0, events: history, firstAt: at(1) });
  });

  it("sends a long history's last events and the run painted after all of it, with its last bars", () => {
    const history = ping(10_000);
    const pending = [{ nodeId: "pong", kind: "signal", signal: "ping", since: at(10_000) }];
    const window = historyWindow(PING, history, { pending, now: at(10_001) });
    expect(window.total).toBe(10_000);
    expect(window.offset).toBe(9_800);
    expect(window.events).toEqual(history.slice(9_800));
    expect(window.firstAt).toBe(at(1));
    const whole = paintRun(PING, history as unknown as PaintEvent[], { pending, now: at(10_001) });
    const { bars, barsFrom, barCount, ...rest } = window.paint!;
    const { bars: wholeBars, ...wholeRest } = whole;
    expect(rest).toEqual(wholeRest);
    expect(wholeRest.upTo).toBe(10_000);
    expect(barCount).toBe(wholeBars.length);
    expect(barsFrom).toBe(wholeBars.length - 200);
    expect(bars).toEqual(wholeBars.slice(-200));
    expect(window.paint!.nodes.pong!.state).toBe("waiting");
  });

  it("puts the whole history back from an earlier one and a window that meets it, and keeps one ahead of the window", () => {
    const history = ping(1_000);
    const window = { offset: 800, events: history.slice(800) };
    expect(wholeHistory(undefined, { offset: 0, events: history })).toBe(history);
    expect(wholeHistory(history.slice(0, 850), window)).toEqual(history);
    expect(wholeHistory(history.slice(0, 800), window)).toEqual(history);
    const ahead = ping(1_100);
    expect(wholeHistory(ahead, window)).toBe(ahead);
  });

  it("has no whole history when what is known does not reach the window, or is another run's", () => {
    const history = ping(1_000);
    const window = { offset: 800, events: history.slice(800) };
    expect(wholeHistory(undefined, window)).toBeUndefined();
    expect(wholeHistory(history.slice(0, 799), window)).toBeUndefined();
    const other = ping(900).map((e) => ({ ...e, seq: e.seq + 5 }));
    expect(wholeHistory(other, window)).toBeUndefined();
  });
});
