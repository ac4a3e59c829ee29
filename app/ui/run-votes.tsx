"use client";
// An approval that needs several approvers, on a run's page: "1 of 2 approvals, approved by
// fin1". The votes are not history events (a vote short of the quorum appends nothing), so
// they come from the describe document's pending approval, handed down by the page; a wait
// painted from the history finds its votes by the time its request was made.

import { createContext, useContext, type ReactNode } from "react";
import type { PendingItem } from "../../engine/views.ts";

const VotesContext = createContext<readonly PendingItem[]>([]);

export function RunVotes({ pending, children }: { pending: readonly PendingItem[]; children: ReactNode }) {
  return <VotesContext.Provider value={pending}>{children}</VotesContext.Provider>;
}

/** "fin1", "fin1 and fin2", "ada, fin1 and fin2". */
function andList(names: readonly string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The votes so far of the approval requested at `since`, while the run still waits for it. */
export function ApprovalVotes({ since, quorum }: { since: string; quorum?: number }) {
  const pending = useContext(VotesContext);
  const item = pending.find((p) => p.kind === "approval" && p.since === since && p.approvals);
  if (!quorum || quorum < 2 || !item?.approvals) return null;
  const by = item.approvals.map((a) => a.by);
  return (
    <>
      {" · "}
      {by.length} of {quorum} approvals{by.length ? `, approved by ${andList(by)}` : ""}
    </>
  );
}
