"use client";
// The inbox's list: each approval with what it asks, the run it belongs to, a comment and the
// two decisions. It stays current by itself (every few seconds, and when the reader returns
// to the tab), so a colleague's decision takes the item away here too.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import type { PendingApproval } from "../../engine/views.ts";
import { callApi } from "../lib/client-api.ts";
import { textOf } from "../lib/present.ts";
import { runPath, signInPath } from "../lib/paths.ts";
import { LocalTime } from "./local-time.tsx";

const POLL_MS = 4000;
const keyOf = (a: { workflowId: string; nodeId: string }) => `${a.workflowId}\u0000${a.nodeId}`;
const titleOf = (a: PendingApproval) => textOf(a.title, 200) || "Approval";

type Decided = { workflowId: string; nodeId: string; approved: boolean; by: string; comment?: string; at: string };

export function ApprovalsInbox({ initial }: { initial: PendingApproval[] }) {
  const router = useRouter();
  const [items, setItems] = useState(initial);
  const [status, setStatus] = useState("");
  const [pollError, setPollError] = useState<string>();
  // Decided here, not yet gone from the server's list: kept hidden until the next poll agrees.
  const decided = useRef(new Set<string>());

  const reload = useCallback(async () => {
    const result = await callApi<PendingApproval[]>("GET", "/api/approvals");
    if (result.ok) {
      setPollError(undefined);
      const fresh = new Set(result.data.map(keyOf));
      for (const key of decided.current) if (!fresh.has(key)) decided.current.delete(key);
      setItems(result.data.filter((a) => !decided.current.has(keyOf(a))));
    } else if (result.status === 401) {
      router.replace(signInPath("/approvals"));
    } else {
      setPollError(`The list could not be brought up to date: ${result.message}`);
    }
  }, [router]);

  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === "visible") void reload();
    };
    const timer = setInterval(tick, POLL_MS);
    window.addEventListener("focus", tick);
    document.addEventListener("visibilitychange", tick);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", tick);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [reload]);

  const onDecided = useCallback((item: PendingApproval, outcome: Decided | { gone: string }) => {
    decided.current.add(keyOf(item));
    setItems((list) => list.filter((a) => keyOf(a) !== keyOf(item)));
    if ("gone" in outcome) {
      setStatus(outcome.gone);
    } else {
      setStatus(`You ${outcome.approved ? "approved" : "declined"} “${titleOf(item)}” for ${item.workflowId}${outcome.comment ? `, with the comment “${outcome.comment}”` : ""}.`);
    }
  }, []);

  return (
    <>
      <p role="status" className={status ? "alert alert-success" : "visually-hidden"}>
        {status}
      </p>
      {pollError ? (
        <p role="alert" className="alert alert-warning">
          {pollError}
        </p>
      ) : null}
      {items.length === 0 ? (
        <div className="empty">
          <h2>Nothing waits for your decision</h2>
          <p>
            When a run reaches an approval that names you or one of your roles, it appears here. This list updates by itself; see all runs on the{" "}
            <Link href="/runs?status=running">Runs</Link> page.
          </p>
        </div>
      ) : (
        <ul className="inbox" aria-label="Approvals waiting for you">
          {items.map((item) => (
            <li key={keyOf(item)}>
              <ApprovalItem item={item} onDecided={onDecided} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ApprovalItem({ item, onDecided }: { item: PendingApproval; onDecided: (item: PendingApproval, outcome: Decided | { gone: string }) => void }) {
  const id = useId();
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<"approve" | "decline">();
  const [error, setError] = useState<string>();
  const message = textOf(item.message, 2000);

  async function decide(decision: "approve" | "decline") {
    setBusy(decision);
    setError(undefined);
    const body = comment.trim() ? { decision, comment: comment.trim() } : { decision };
    const result = await callApi<Decided>("POST", `/api/approvals/${encodeURIComponent(item.workflowId)}/${encodeURIComponent(item.nodeId)}`, body);
    if (result.ok) {
      onDecided(item, result.data);
      return;
    }
    setBusy(undefined);
    if (result.status === 409 || result.status === 404) {
      onDecided(item, {
        gone: `“${titleOf(item)}” for ${item.workflowId} was already decided${result.status === 409 ? " by someone else" : " or is no longer waiting"}: nothing was changed by you.`,
      });
      return;
    }
    setError(result.status === 403 ? `You may not decide this approval: ${result.message}` : result.message);
  }

  return (
    <article className="card approval" aria-labelledby={`${id}-title ${id}-run`}>
      <div className="approval-head">
        <h2 id={`${id}-title`} className="approval-title">
          {titleOf(item)}
        </h2>
        <p className="approval-run">
          Run{" "}
          <Link href={runPath(item.workflowId)} id={`${id}-run`} className="mono">
            {item.workflowId}
          </Link>
        </p>
      </div>
      {message ? <p className="approval-message">{message}</p> : null}
      <p className="muted small">
        Waiting since <LocalTime iso={item.since} />
        {item.dueAt ? (
          <>
            {" "}
            · due <LocalTime iso={item.dueAt} />
          </>
        ) : null}
        {item.assignees.length ? ` · for ${item.assignees.join(", ")}` : ""}
      </p>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-comment`}>Comment</label>
        <textarea id={`${id}-comment`} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={4000} placeholder="Optional: why you decide so" />
      </div>
      <div className="actions">
        <button type="button" className="button button-approve" onClick={() => decide("approve")} disabled={busy !== undefined}>
          Approve
        </button>
        <button type="button" className="button button-decline" onClick={() => decide("decline")} disabled={busy !== undefined}>
          Decline
        </button>
        {busy ? (
          <span className="muted small" aria-live="polite">
            Sending…
          </span>
        ) : null}
      </div>
    </article>
  );
}
