// A live run's page asks for itself again when events pause, and now and then while they don't.

import { describe, expect, it } from "vitest";
import { BUSY_MS, QUIET_MS, refreshDelay } from "../../app/ui/refresh-pacing.ts";

/** The times the page is asked for, for events at these times (as live-run.tsx schedules it). */
function refreshes(events: number[], end: number): number[] {
  const asked: number[] = [];
  let due: number | undefined;
  let since: number | undefined;
  for (const at of events) {
    if (due !== undefined && due <= at) {
      asked.push(due);
      due = since = undefined;
    }
    since ??= at;
    due = at + refreshDelay(at, since);
  }
  if (due !== undefined && due <= end) asked.push(due);
  return asked;
}

describe("refresh pacing", () => {
  it("asks a quarter of a second after a lone event, and once after a short burst", () => {
    expect(refreshes([1000], 10_000)).toEqual([1000 + QUIET_MS]);
    expect(refreshes([1000, 1050, 1100], 10_000)).toEqual([1100 + QUIET_MS]);
  });

  it("asks every 5 s while 200 events a second keep coming, and once more when they stop", () => {
    const events = Array.from({ length: 2400 }, (_, i) => 1000 + i * 5);
    const asked = refreshes(events, 30_000);
    expect(asked.slice(0, 2)).toEqual([1000 + BUSY_MS, 1000 + 2 * BUSY_MS]);
    expect(asked).toHaveLength(3);
    expect(asked.at(-1)).toBe(events.at(-1)! + QUIET_MS);
  });
});
