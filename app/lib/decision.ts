// What a run's events say of one approval it waits for (the decision link's page follows the
// run's event stream with it): decided, by whom and when; timed out; or the run ended. Events
// from before the approval was requested (an earlier visit of its node) say nothing.
import type { EventJson, PendingApproval } from "../../engine/views.ts";
import { CLOSING_EVENTS } from "./present.ts";

export type ApprovalEnd =
  | { kind: "decided"; approved: boolean; by?: string; comment?: string; at: string }
  | { kind: "timed out"; at: string }
  | { kind: "ended"; how: string; at: string };

export function approvalEnd(item: Pick<PendingApproval, "nodeId" | "since">, event: EventJson): ApprovalEnd | undefined {
  if (Date.parse(event.at) < Date.parse(item.since)) return undefined;
  if (event.type === "SignalReceived" && event.nodeId === item.nodeId && (event.signal === "approve" || event.signal === "decline")) {
    const payload = (event.payload ?? {}) as { by?: unknown; comment?: unknown };
    const by = typeof payload.by === "string" ? payload.by : typeof event.by === "string" ? event.by : undefined;
    const comment = typeof payload.comment === "string" && payload.comment !== "" ? payload.comment : undefined;
    return { kind: "decided", approved: event.signal === "approve", at: event.at, ...(by === undefined ? {} : { by }), ...(comment === undefined ? {} : { comment }) };
  }
  if (event.type === "WaitTimedOut" && event.nodeId === item.nodeId) return { kind: "timed out", at: event.at };
  if (CLOSING_EVENTS.has(event.type)) return { kind: "ended", how: event.type.replace(/^Workflow/, "").toLowerCase(), at: event.at };
  return undefined;
}
