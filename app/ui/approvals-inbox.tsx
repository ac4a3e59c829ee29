"use client";
// The inbox's list: each approval with what it asks, the workflow and run it belongs to, the
// run's input in words, its due time, the run's drawing with the approval marked (on asking),
// a decision link to send by e-mail, a comment and the two decisions. It stays current by
// itself over the inbox's event stream (GET /api/approvals/stream: the whole list again at each
// change), so a colleague's decision takes the item away here as soon as it is accepted, before
// any worker takes it; only while the stream is refused for good (signed out, say) does it ask
// every few seconds instead. ApprovalItem is also the decision link's page
// (app/(signed-in)/approvals/[workflowId]/[nodeId]).
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import type { PendingApproval } from "../../engine/views.ts";
import { callApi } from "../lib/client-api.ts";
import { orList, textOf } from "../lib/present.ts";
import { approvalPath, runPath, signInPath } from "../lib/paths.ts";
import { LocalTime } from "./local-time.tsx";
import { RunPreview } from "./run-preview.tsx";
import { ValueView } from "./value-view.tsx";
import "../operate.css";

const STREAM = "/api/approvals/stream";
/** How often the list is asked for while its stream is closed for good, and only then. */
const FALLBACK_POLL_MS = 4000;
const keyOf = (a: { workflowId: string; nodeId: string }) => `${a.workflowId}\u0000${a.nodeId}`;
const titleOf = (a: PendingApproval) => textOf(a.title, 200) || "Approval";

export type Decided = {
  workflowId: string;
  nodeId: string;
  approved: boolean;
  by: string;
  comment?: string;
  at: string;
  quorum?: number;
  approvals?: { by: string; comment?: string; at: string }[];
};

/** "1 of 2 approvals" for an approval that needs several; "" for one that needs one. */
export function quorumText(quorum: number | undefined, approvals: number): string {
  return quorum !== undefined && quorum > 1 ? `${approvals} of ${quorum} approvals` : "";
}

/** What the decider is told after a decision was accepted. */
export function decidedText(item: PendingApproval, outcome: Decided): string {
  const what = `“${titleOf(item)}” for ${item.workflowId}`;
  const comment = outcome.comment ? `, with the comment “${outcome.comment}”` : "";
  if (outcome.approved && outcome.quorum !== undefined && (outcome.approvals?.length ?? 0) < outcome.quorum) {
    return `You approved ${what}${comment}: ${quorumText(outcome.quorum, outcome.approvals?.length ?? 0)}; it waits for another approver.`;
  }
  return `You ${outcome.approved ? "approved" : "declined"} ${what}${comment}.`;
}

export function ApprovalsInbox({ initial }: { initial: PendingApproval[] }) {
  const router = useRouter();
  const [items, setItems] = useState(initial);
  const [status, setStatus] = useState("");
  const [pollError, setPollError] = useState<string>();
  // Decided here, not yet gone from the server's list: kept hidden until a list agrees.
  const decided = useRef(new Set<string>());

  const show = useCallback((list: PendingApproval[]) => {
    setPollError(undefined);
    const fresh = new Set(list.map(keyOf));
    for (const key of decided.current) if (!fresh.has(key)) decided.current.delete(key);
    setItems(list.filter((a) => !decided.current.has(keyOf(a))));
  }, []);

  const reload = useCallback(async () => {
    const result = await callApi<PendingApproval[]>("GET", "/api/approvals");
    if (result.ok) {
      show(result.data);
    } else if (result.status === 401) {
      router.replace(signInPath("/approvals"));
    } else {
      setPollError(`The list could not be brought up to date: ${result.message}`);
    }
  }, [router, show]);

  useEffect(() => {
    const source = new EventSource(STREAM);
    source.onmessage = (message) => {
      let list: unknown;
      try {
        list = JSON.parse(message.data);
      } catch {
        return;
      }
      if (Array.isArray(list)) show(list as PendingApproval[]);
    };
    // A dropped connection the browser opens again by itself; a stream refused for good (signed
    // out, say) is replaced by asking now, then every few seconds and when the reader comes back.
    let poll: ReturnType<typeof setInterval> | undefined;
    const tick = () => {
      if (document.visibilityState === "visible") void reload();
    };
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED || poll !== undefined) return;
      void reload();
      poll = setInterval(tick, FALLBACK_POLL_MS);
      window.addEventListener("focus", tick);
      document.addEventListener("visibilitychange", tick);
    };
    return () => {
      source.close();
      if (poll !== undefined) clearInterval(poll);
      window.removeEventListener("focus", tick);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [reload, show]);

  const onDecided = useCallback((item: PendingApproval, outcome: Decided | { gone: string }) => {
    decided.current.add(keyOf(item));
    setItems((list) => list.filter((a) => keyOf(a) !== keyOf(item)));
    if ("gone" in outcome) {
      setStatus(outcome.gone);
    } else {
      setStatus(decidedText(item, outcome));
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

export function ApprovalItem({
  item,
  onDecided,
  headingLevel = 2,
  drawingOpen = false,
}: {
  item: PendingApproval;
  onDecided: (item: PendingApproval, outcome: Decided | { gone: string }) => void;
  headingLevel?: 2 | 3;
  /** Whether the run's drawing shows from the start (the decision page), or on asking. */
  drawingOpen?: boolean;
}) {
  const id = useId();
  const [drawing, setDrawing] = useState(drawingOpen);
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

  const Heading = headingLevel === 2 ? "h2" : "h3";
  const link = approvalPath(item.workflowId, item.nodeId);
  const quorum = quorumText(item.quorum, item.approvals?.length ?? 0);
  return (
    <article className="card approval" aria-labelledby={`${id}-title ${id}-run`}>
      <div className="approval-head">
        <Heading id={`${id}-title`} className="approval-title">
          {titleOf(item)}
        </Heading>
        <p className="approval-run">
          {item.workflowTitle ? <span className="approval-workflow">{item.workflowTitle} · </span> : null}
          Run{" "}
          <Link href={runPath(item.workflowId)} id={`${id}-run`} className="mono">
            {item.workflowId}
          </Link>
        </p>
      </div>
      {message ? <p className="approval-message">{message}</p> : null}
      <p className="approval-when">
        {item.dueAt ? (
          <>
            <strong>
              Due <LocalTime iso={item.dueAt} />
            </strong>
            {" · "}
          </>
        ) : null}
        <span className="muted">
          waiting since <LocalTime iso={item.since} />
          {item.assignees.length ? ` · for ${orList(item.assignees)}` : ""}
          {item.startedBy ? ` · started by ${item.startedBy}` : ""}
        </span>
      </p>
      {quorum ? (
        <p className="approval-quorum">
          <strong>{quorum}</strong>
          {item.approvals.length ? <span className="muted"> · approved by {item.approvals.map((a) => a.by).join(", ")}</span> : null}
          <span className="muted"> · needs {item.quorum} different people; one decline declines</span>
        </p>
      ) : null}
      {item.notStarter ? <p className="muted small">The person who started the run may not decide it.</p> : null}
      <div className="approval-input">
        <p className="approval-input-head">The run’s input</p>
        <ValueView value={item.input} label="The input" />
      </div>
      <details className="approval-drawing" open={drawing} onToggle={(e) => setDrawing(e.currentTarget.open)}>
        <summary>Where the run is: its drawing</summary>
        {drawing ? <RunPreview workflowId={item.workflowId} nodeId={item.nodeId} note="waiting for your decision" /> : null}
      </details>
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
        <a className="approval-link small" href={link} title="A link to this decision that you can send by e-mail: opening it decides nothing">
          Decision link
        </a>
      </div>
    </article>
  );
}
