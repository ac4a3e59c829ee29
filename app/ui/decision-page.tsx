"use client";
// The decision link's page: one approval with its buttons; after a decision, what was done.
import Link from "next/link";
import { useState } from "react";
import type { PendingApproval } from "../../engine/views.ts";
import { runPath } from "../lib/paths.ts";
import { ApprovalItem, decidedText } from "./approvals-inbox.tsx";

export function DecisionPage({ item }: { item: PendingApproval }) {
  const [done, setDone] = useState<string>();
  return (
    <>
      <p role="status" className={done ? "alert alert-success" : "visually-hidden"}>
        {done}
      </p>
      {done ? (
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
