// The run page's live events (app/ui/live-events.ts): what the stream brought is added to the
// page's history once each, in order, and only what the history does not have yet.

import { describe, expect, it } from "vitest";
import { publish, subscribe, withFresh } from "../../app/ui/live-events.ts";
import type { EventJson } from "../../engine/views.ts";

const ev = (seq: number): EventJson => ({ seq, type: "TimerFired", at: new Date(seq * 1000).toISOString() }) as EventJson;

describe("live events", () => {
  it("adds the streamed events the history does not have, each once, in order", () => {
    const history = [ev(1), ev(2)];
    expect(withFresh(history, [])).toBe(history);
    expect(withFresh(history, [ev(2)])).toBe(history);
    expect(withFresh(history, [ev(2), ev(3), ev(3), ev(4)]).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(withFresh([], [ev(1)]).map((e) => e.seq)).toEqual([1]);
  });

  it("hands a run's events to those listening to that run only, until they stop", () => {
    const seen: number[] = [];
    const stop = subscribe("run-a", (events) => seen.push(...events.map((e) => e.seq)));
    publish("run-a", [ev(1), ev(2)]);
    publish("run-b", [ev(9)]);
    stop();
    publish("run-a", [ev(3)]);
    expect(seen).toEqual([1, 2]);
  });
});
