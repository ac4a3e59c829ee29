// What a decision link's page makes of the run's events as its stream brings them
// (app/lib/decision.ts): a decision at its node, by whom, with the comment; the wait timing out;
// the run ending; and nothing from before the approval was requested or at another node.

import { describe, expect, it } from "vitest";
import { approvalEnd } from "../../app/lib/decision.ts";
import type { EventJson } from "../../engine/views.ts";

const item = { nodeId: "review", since: "2026-12-02T09:00:00.000Z" };
const event = (seq: number, at: string, fields: Record<string, unknown>) => ({ seq, at, ...fields }) as EventJson;

describe("approvalEnd", () => {
  it("reads a decision at the approval's node: approved or declined, by whom, with the comment", () => {
    const approve = event(7, "2026-12-02T09:05:00.000Z", { type: "SignalReceived", cmd: 2, nodeId: "review", signal: "approve", payload: { nodeId: "review", by: "fin2", comment: "fine by me" }, by: "fin2" });
    expect(approvalEnd(item, approve)).toEqual({ kind: "decided", approved: true, by: "fin2", comment: "fine by me", at: "2026-12-02T09:05:00.000Z" });
    const decline = event(7, "2026-12-02T09:05:00.000Z", { type: "SignalReceived", cmd: 2, nodeId: "review", signal: "decline", payload: { nodeId: "review", by: "fin1" } });
    expect(approvalEnd(item, decline)).toEqual({ kind: "decided", approved: false, by: "fin1", at: "2026-12-02T09:05:00.000Z" });
  });

  it("reads the wait timing out and the run ending", () => {
    expect(approvalEnd(item, event(8, "2026-12-02T10:00:00.000Z", { type: "WaitTimedOut", cmd: 2, nodeId: "review" }))).toEqual({ kind: "timed out", at: "2026-12-02T10:00:00.000Z" });
    expect(approvalEnd(item, event(8, "2026-12-02T09:30:00.000Z", { type: "WorkflowCancelled", by: "ops" }))).toEqual({ kind: "ended", how: "cancelled", at: "2026-12-02T09:30:00.000Z" });
  });

  it("says nothing of other nodes, other signals, or an earlier visit of the node", () => {
    expect(approvalEnd(item, event(5, "2026-12-02T09:05:00.000Z", { type: "SignalReceived", cmd: 3, nodeId: "other", signal: "approve", payload: { by: "fin2" } }))).toBeUndefined();
    expect(approvalEnd(item, event(5, "2026-12-02T09:05:00.000Z", { type: "SignalReceived", cmd: 3, nodeId: "review", signal: "go", payload: {} }))).toBeUndefined();
    expect(approvalEnd(item, event(3, "2026-12-02T08:00:00.000Z", { type: "SignalReceived", cmd: 1, nodeId: "review", signal: "approve", payload: { by: "fin2" } }))).toBeUndefined();
    expect(approvalEnd(item, event(2, "2026-12-02T09:00:00.000Z", { type: "ApprovalRequested", cmd: 2, nodeId: "review", assignees: ["finance"] }))).toBeUndefined();
  });
});
