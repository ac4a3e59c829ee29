"use client";
// The decision link's page: one approval with its buttons; after a decision, what was done. It
// follows the run's event stream (as a run's page does), so that a decision taken elsewhere (a
// colleague in the inbox, another link) shows here at once: who decided, what and when, and the
// buttons go, as soon as the decision is accepted (the stream's `decision`), not when a worker
// takes it; so does an approval toward a quorum ("1 of 2 approvals, approved by fin2"), the
// wait timing out, or the run ending. Opened after a decision was accepted (`decided`), it says
// so from the start.
import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import type { ApprovalDecision, EventJson, PendingApproval } from "../../engine/views.ts";
import { approvalEnd, type ApprovalEnd } from "../lib/decision.ts";
import { runPath } from "../lib/paths.ts";
import { ApprovalItem, decidedText } from "./approvals-inbox.tsx";
import { LocalTime } from "./local-time.tsx";

export function DecisionPage({ item: initial, me, decided }: { item: PendingApproval; me: string; decided?: ApprovalDecision }) {
  const [item, setItem] = useState(initial);
  const [done, setDone] = useState<ReactNode>();
  const [ended, setEnded] = useState<ApprovalEnd | undefined>(decided && { kind: "decided", ...decided });

  useEffect(() => {
    if (decided) return;
    const source = new EventSource(`/api/runs/${encodeURIComponent(initial.workflowId)}/stream`);
    source.onmessage = (message) => {
      let event: EventJson;
      try {
        event = JSON.parse(message.data) as EventJson;
      } catch {
        return;
      }
      const end = approvalEnd(initial, event);
      if (end) {
        source.close();
        setEnded(end);
      }
    };
    // Approvals toward a quorum that do not complete it are no events: the stream says so apart.
    source.addEventListener("votes", (message) => {
      try {
        const votes = JSON.parse((message as MessageEvent<string>).data) as { nodeId: string; by: string; at: string }[];
        const here = votes.filter((v) => v.nodeId === initial.nodeId && Date.parse(v.at) >= Date.parse(initial.since));
        setItem((i) => ({ ...i, approvals: here.map((v) => ({ by: v.by, at: v.at })) }));
      } catch {
        // not a list of votes: nothing to show
      }
    });
    // A decision accepted, which the run takes when a worker runs it: final all the same.
    source.addEventListener("decision", (message) => {
      let decisions: unknown;
      try {
        decisions = JSON.parse((message as MessageEvent<string>).data);
      } catch {
        return;
      }
      const here = Array.isArray(decisions) ? (decisions as (ApprovalDecision & { nodeId: string })[]).find((d) => d.nodeId === initial.nodeId) : undefined;
      if (!here) return;
      source.close();
      setEnded({ kind: "decided", approved: here.approved, by: here.by, at: here.at, ...(here.comment ? { comment: here.comment } : {}) });
    });
    return () => source.close();
  }, [initial, decided]);

  // A decision taken here says so itself (below); one the stream brings from elsewhere says who.
  const elsewhere = done === undefined && ended !== undefined ? endedText(ended, item, me) : undefined;
  return (
    <>
      <p role="status" className={done || elsewhere ? "alert alert-success" : "visually-hidden"}>
        {done ?? elsewhere}
      </p>
      {done || elsewhere ? (
        <p>
          See the run:{" "}
          <Link href={runPath(item.workflowId)} className="mono">
            {item.workflowId}
          </Link>{" "}
          · back to your <Link href="/approvals">approvals</Link>
        </p>
      ) : (
        <ApprovalItem item={item} drawingOpen onDecided={(i, outcome) => setDone("gone" in outcome ? outcome.gone : decidedText(i, outcome))} />
      )}
    </>
  );
}

function endedText(ended: ApprovalEnd, item: PendingApproval, me: string): ReactNode {
  const what = `“${typeof item.title === "string" && item.title.trim() ? item.title : "Approval"}” for ${item.workflowId}`;
  switch (ended.kind) {
    case "decided":
      return (
        <>
          Decided by {ended.by === me ? "you" : (ended.by ?? "someone else")}: {ended.approved ? "approved" : "declined"}
          {ended.comment ? ` (“${ended.comment}”)` : ""}, at <LocalTime iso={ended.at} />. Nothing is left to decide on {what}.
        </>
      );
    case "timed out":
      return (
        <>
          {what} timed out at <LocalTime iso={ended.at} /> before a decision: nothing is left to decide.
        </>
      );
    case "ended":
      return (
        <>
          The run ended ({ended.how}) at <LocalTime iso={ended.at} /> before a decision: nothing is left to decide.
        </>
      );
  }
}
