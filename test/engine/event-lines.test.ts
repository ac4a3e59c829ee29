// `weft history` for a person: one line per event, the node and what matters of it first, long
// values cut short.

import { describe, expect, it } from "vitest";
import { eventLine } from "../../engine/cli/event-lines.ts";

const at = Date.UTC(2026, 10, 23, 1, 2, 3, 4);

describe("history lines", () => {
  it("puts the node, the activity, the attempt and the error first", () => {
    expect(eventLine({ seq: 4, at, type: "ActivityScheduled", cmd: 2, nodeId: "charge", activity: "payments.charge", input: { amount: 5 }, options: {}, canFail: false })).toBe(
      '   4  2026-11-23T01:02:03.004Z  ActivityScheduled  charge  payments.charge  input {"amount":5}',
    );
    expect(eventLine({ seq: 6, at, type: "ActivityFailed", cmd: 2, nodeId: "charge", attempt: 1, error: { type: "Declined", message: "card declined" }, nextAttemptAt: at + 1000 })).toBe(
      "   6  2026-11-23T01:02:03.004Z  ActivityFailed     charge  attempt 1  Declined: card declined  next attempt 2026-11-23T01:02:04.004Z",
    );
    expect(eventLine({ seq: 9, at, type: "WorkflowCancelled" })).toBe("   9  2026-11-23T01:02:03.004Z  WorkflowCancelled");
  });

  it("cuts long values to one short line", () => {
    const line = eventLine({ seq: 7, at, type: "WorkflowCompleted", nodeId: "done", result: { text: "x".repeat(500) } });
    expect(line.length).toBeLessThan(200);
    expect(line).toMatch(/result \{"text":"x+…$/);
  });
});
