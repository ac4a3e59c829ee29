"use client";
// A run on its drawing, painted by designer/run-paint.ts: each node's state (done with its
// duration, where the run is and what it waits for, counting down to a retry; failed nodes
// with their error), a timeline of the history (each attempt a bar), a scrubber that paints
// the run as it stood after any event, and the actions an operator may take (signal with a form
// from what the node waits for, cancel, terminate, retry from the failed step), each after a
// confirmation. The page around it follows the run live (live-run.tsx) and hands in new props.
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useState } from "react";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { durationText, paintRun, passedNodes, type Bar, type NodePaint, type PaintEvent, type Wait } from "../../designer/run-paint.ts";
import type { Description, EventJson } from "../../engine/views.ts";
import { callApi } from "../lib/client-api.ts";
import { eventSentence, nodeKind, nodeLabel, orList, type Drawing } from "../lib/present.ts";
import { Confirm } from "./confirm.tsx";
import { LocalTime } from "./local-time.tsx";
import { ApprovalVotes } from "./run-votes.tsx";
import { Segments } from "./segments.tsx";
import { ValueView } from "./value-view.tsx";
import "../operate.css";

const STATE_TEXT: Record<NodePaint["state"], string> = {
  "not-reached": "not reached",
  passed: "passed",
  done: "done",
  running: "running here",
  retrying: "waiting here to retry",
  waiting: "waiting here",
  failed: "failed here",
  held: "held here",
  stopped: "stopped here",
};

type Action = { kind: "cancel" | "terminate" | "retry" } | { kind: "signal"; signal: string; nodeId: string };

export function RunView({
  workflowId,
  drawing,
  run,
  events,
  canOperate,
  serverNow,
}: {
  workflowId: string;
  drawing: Drawing;
  run: Description;
  events: EventJson[];
  canOperate: boolean;
  serverNow: string;
}) {
  const router = useRouter();
  const id = useId();
  // undefined: the run as it stands (live); a number: as it stood after that many events.
  const [frame, setFrame] = useState<number>();
  const [now, setNow] = useState(serverNow);
  const [action, setAction] = useState<Action>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [said, setSaid] = useState("");
  const [payload, setPayload] = useState("");

  const doc = drawing as unknown as WorkflowDocument;
  const upTo = frame === undefined ? events.length : Math.min(frame, events.length);
  const scrubbing = frame !== undefined && frame < events.length;
  const paint = useMemo(
    () => paintRun(doc, events as unknown as PaintEvent[], { upTo, pending: run.pending, now }),
    [doc, events, upTo, run.pending, now],
  );
  const passed = useMemo(() => new Set(passedNodes(doc, paint)), [doc, paint]);
  const byId = useMemo(() => new Map(drawing.nodes.map((n) => [n.id, n])), [drawing]);
  const label = (nodeId: string) => nodeLabel(byId.get(nodeId), nodeId);

  // A countdown while a step waits to be tried again.
  const counting = !scrubbing && Object.values(paint.nodes).some((n) => n.state === "retrying");
  useEffect(() => {
    setNow(new Date().toISOString());
    if (!counting) return;
    const timer = setInterval(() => setNow(new Date().toISOString()), 250);
    return () => clearInterval(timer);
  }, [counting, events.length]);

  const open = run.status === "running";
  const failedStep = run.status === "failed" && paint.error?.nodeId !== undefined && byId.get(paint.error.nodeId)?.type === "step";
  const signals = open ? run.pending.filter((p) => p.kind === "signal" && p.signal) : [];

  async function act(a: Action) {
    setBusy(true);
    setError(undefined);
    const base = `/api/runs/${encodeURIComponent(workflowId)}`;
    let body: unknown = undefined;
    if (a.kind === "signal") {
      const text = payload.trim();
      try {
        body = { payload: text === "" ? null : JSON.parse(text) };
      } catch {
        setBusy(false);
        setError("The payload is not JSON: write a JSON value such as {\"note\": \"go\"}, or leave it empty.");
        return;
      }
    }
    const result = await callApi("POST", a.kind === "signal" ? `${base}/signals/${encodeURIComponent(a.signal)}` : `${base}/${a.kind}`, body ?? {});
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setAction(undefined);
    setPayload("");
    setSaid(
      a.kind === "signal"
        ? `Sent the signal “${a.signal}”.`
        : a.kind === "retry"
          ? "The run carries on from the step where it failed."
          : `The run was ${a.kind === "cancel" ? "cancelled" : "terminated"}.`,
    );
    setFrame(undefined);
    router.refresh();
  }

  const first = events[0]?.at ?? run.startedAt;
  // The axis spans the whole run (to its end, or now); a frame shows where it stood then.
  const last = run.closedAt ?? (events.at(-1)?.at && Date.parse(events.at(-1)!.at) > Date.parse(now) ? events.at(-1)!.at : now);
  const frameEvent = upTo > 0 ? events[upTo - 1] : undefined;

  return (
    <>
      <p role="status" className={said ? "alert alert-success" : "visually-hidden"}>
        {said}
      </p>

      {canOperate && (open || failedStep) ? (
        <section aria-labelledby={`${id}-actions`} className="panel run-block run-actions">
          <h2 id={`${id}-actions`}>Actions</h2>
          <div className="actions">
            {signals.map((p) => (
              <button key={`${p.nodeId}-${p.signal}`} type="button" className="button" onClick={() => setAction({ kind: "signal", signal: p.signal!, nodeId: p.nodeId })} disabled={busy}>
                Send “{p.signal}”…
              </button>
            ))}
            {failedStep ? (
              <button type="button" className="button button-primary" onClick={() => setAction({ kind: "retry" })} disabled={busy}>
                Retry from {label(paint.error!.nodeId!)}…
              </button>
            ) : null}
            {open ? (
              <>
                <button type="button" className="button" onClick={() => setAction({ kind: "cancel" })} disabled={busy}>
                  Cancel run…
                </button>
                <button type="button" className="button" onClick={() => setAction({ kind: "terminate" })} disabled={busy}>
                  Terminate run…
                </button>
              </>
            ) : null}
          </div>
          {action?.kind === "signal" ? (
            <Confirm
              question={`Send the signal “${action.signal}” to ${workflowId}?`}
              confirm={`Send “${action.signal}”`}
              keep="Do not send"
              danger={false}
              busy={busy}
              error={error}
              onConfirm={() => void act(action)}
              onKeep={() => {
                setAction(undefined);
                setError(undefined);
              }}
            >
              The run waits for it at {label(action.nodeId)}; it goes on as soon as a worker takes it. Your name is recorded with it.
              <span className="field signal-payload">
                <label htmlFor={`${id}-payload`}>Payload (JSON, optional)</label>
                <textarea id={`${id}-payload`} rows={3} value={payload} onChange={(e) => setPayload(e.target.value)} placeholder='{"note": "go ahead"}' spellCheck={false} />
              </span>
            </Confirm>
          ) : action ? (
            <Confirm
              question={
                action.kind === "retry" ? `Retry ${workflowId} from ${label(paint.error!.nodeId!)}?` : `${action.kind === "cancel" ? "Cancel" : "Terminate"} ${workflowId}?`
              }
              confirm={action.kind === "retry" ? "Retry the run" : action.kind === "cancel" ? "Cancel the run" : "Terminate the run"}
              keep={action.kind === "retry" ? "Not now" : "Keep it running"}
              danger={action.kind !== "retry"}
              busy={busy}
              error={error}
              onConfirm={() => void act(action)}
              onKeep={() => {
                setAction(undefined);
                setError(undefined);
              }}
            >
              {action.kind === "retry"
                ? "A new run of the same workflow id takes over the history up to that step and starts it over at attempt 1; nothing that completed runs again. Fix what failed first."
                : action.kind === "cancel"
                  ? "It ends at once as cancelled; a step under way sees its cancellation at its next heartbeat."
                  : "It ends at once as terminated, with nothing more run."}{" "}
              Your name is recorded with it.
            </Confirm>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby={`${id}-scrub`} className="panel run-block scrubber">
        <h2 id={`${id}-scrub`}>Replay</h2>
        <div className="scrub-row">
          <button type="button" className="button button-small" onClick={() => setFrame(Math.max(0, upTo - 1))} disabled={upTo === 0}>
            Back one event
          </button>
          <input
            type="range"
            min={0}
            max={events.length}
            value={upTo}
            onChange={(e) => {
              const n = Number(e.target.value);
              setFrame(n >= events.length ? undefined : n);
            }}
            aria-label="Position in the history"
            aria-valuetext={`after event ${upTo} of ${events.length}`}
          />
          <button type="button" className="button button-small" onClick={() => setFrame(upTo + 1 >= events.length ? undefined : upTo + 1)} disabled={!scrubbing}>
            Forward one event
          </button>
          <button type="button" className="button button-small" onClick={() => setFrame(undefined)} disabled={!scrubbing}>
            {open ? "Live" : "Now"}
          </button>
        </div>
        <p className="scrub-where" aria-live="polite">
          {scrubbing ? (
            <>
              <strong>
                As it stood after event {upTo} of {events.length}
              </strong>
              {frameEvent ? (
                <>
                  {": "}
                  <Segments parts={eventSentence(frameEvent, label)} /> (<LocalTime iso={frameEvent.at} style="time" />)
                </>
              ) : (
                ": before anything happened"
              )}
            </>
          ) : (
            <>{open ? "Live: the run as it stands now." : `The run as it ended, after ${events.length} events.`}</>
          )}
        </p>
      </section>

      <div className="columns">
        <div className="stack">
          <section aria-labelledby="drawing-heading" className="panel">
            <h2 id="drawing-heading">Drawing{scrubbing ? ` after event ${upTo}` : ""}</h2>
            {drawing.nodes.length === 0 ? (
              <p className="muted">The drawing of version {run.version} could not be read.</p>
            ) : (
              <ol className="node-list">
                {drawing.nodes.map((node) => {
                  const p = paint.nodes[node.id] ?? { nodeId: node.id, state: "not-reached" as const, visits: 0, attempts: [] };
                  const state = p.state === "not-reached" && passed.has(node.id) ? "passed" : p.state;
                  const here = state === "waiting" || state === "retrying" || state === "running" || state === "held";
                  return (
                    <li key={node.id} className="node" data-kind={node.type} data-state={state} aria-current={here ? "step" : undefined}>
                      <span className="node-label">{nodeLabel(node, node.id)}</span>
                      <span className="node-kind">{nodeKind(node)}</span>
                      <span className="node-state" data-state={state}>
                        {STATE_TEXT[state]}
                        {state === "done" && p.durationMs !== undefined && p.durationMs > 0 ? ` in ${durationText(p.durationMs)}` : ""}
                        {p.visits > 1 ? ` · ${p.visits} visits` : ""}
                      </span>
                      {p.wait ? (
                        <span className="node-detail">
                          <WaitLine wait={p.wait} now={now} live={!scrubbing} />
                        </span>
                      ) : null}
                      {p.outcome && state === "done" ? <span className="node-detail">{p.outcome}</span> : null}
                      {p.error ? (
                        <span className="node-detail node-error" role={state === "failed" ? "note" : undefined}>
                          {p.error.type}: {p.error.message}
                        </span>
                      ) : null}
                      {p.attempts.length > 0 ? <NodeDetails paint={p} events={events.slice(0, upTo)} /> : null}
                    </li>
                  );
                })}
              </ol>
            )}
          </section>

          <section aria-labelledby={`${id}-timeline`} className="panel">
            <h2 id={`${id}-timeline`}>Timeline</h2>
            <Timeline bars={paint.bars} from={first} to={last} label={label} cursor={scrubbing ? (paint.at ?? first) : undefined} />
          </section>
        </div>

        <section aria-labelledby="history-heading" className="panel">
          <h2 id="history-heading">History</h2>
          {events.length === 0 ? (
            <p className="muted">Nothing has happened yet.</p>
          ) : (
            <ol className="history">
              {events.map((e, i) => (
                <li key={e.seq} data-type={e.type} data-later={i >= upTo ? "true" : undefined} aria-current={scrubbing && i === upTo - 1 ? "step" : undefined}>
                  <button type="button" className="history-jump" onClick={() => setFrame(i + 1 >= events.length ? undefined : i + 1)} aria-label={`Replay up to event ${i + 1}`}>
                    {i + 1}
                  </button>
                  <span className="history-time">
                    <LocalTime iso={e.at} style="time" />
                  </span>
                  <span className="history-text">
                    <Segments parts={eventSentence(e, label)} />
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </>
  );
}

function WaitLine({ wait, now, live }: { wait: Wait; now: string; live: boolean }) {
  switch (wait.kind) {
    case "activity": {
      const left = wait.nextAttemptAt ? Date.parse(wait.nextAttemptAt) - Date.parse(now) : undefined;
      return (
        <>
          <strong>
            attempt {wait.attempt}
            {wait.maxAttempts ? ` of ${wait.maxAttempts}` : ""}
          </strong>
          {wait.nextAttemptAt ? (
            <>
              {" · next retry "}
              {live && left !== undefined ? (left > 0 ? `in ${durationText(left)}` : "due now") : null} (<LocalTime iso={wait.nextAttemptAt} style="time" />)
            </>
          ) : wait.worker ? (
            ` · running on ${wait.worker}`
          ) : null}
          {wait.lastError ? (
            <span className="node-error">
              {" · last error: "}
              {wait.lastError.type}: {wait.lastError.message}
            </span>
          ) : null}
        </>
      );
    }
    case "approval":
      return (
        <>
          Waiting for a decision{wait.assignees.length ? ` by ${orList(wait.assignees)}` : ""}
          {wait.quorum ? ` (${wait.quorum} different approvers)` : ""} since <LocalTime iso={wait.since} />
          <ApprovalVotes since={wait.since} quorum={wait.quorum} />
          {wait.dueAt ? (
            <>
              , due <LocalTime iso={wait.dueAt} />
            </>
          ) : null}
        </>
      );
    case "timer":
      return (
        <>
          Timer due at <LocalTime iso={wait.dueAt} />
        </>
      );
    case "signal":
      return (
        <>
          Waiting for the signal “{wait.signal}” since <LocalTime iso={wait.since} />
          {wait.dueAt ? (
            <>
              , until <LocalTime iso={wait.dueAt} />
            </>
          ) : null}
        </>
      );
    case "held":
      return <>Held: {wait.reason}</>;
  }
}

/** A step's attempts (with the worker that ran each and its error), its input and result. */
function NodeDetails({ paint, events }: { paint: NodePaint; events: EventJson[] }) {
  const scheduled = [...events].reverse().find((e) => e.type === "ActivityScheduled" && e.nodeId === paint.nodeId);
  const completed = [...events].reverse().find((e) => e.type === "ActivityCompleted" && e.nodeId === paint.nodeId);
  return (
    <details className="node-more">
      <summary>
        {paint.attempts.length === 1 ? "1 attempt" : `${paint.attempts.length} attempts`}, input{completed ? " and result" : ""}
      </summary>
      <ol className="attempts">
        {paint.attempts.map((a) => (
          <li key={a.attempt} data-outcome={a.outcome}>
            Attempt {a.attempt}: {a.outcome === "running" ? "running" : a.outcome}
            {a.worker ? ` on ${a.worker}` : ""}, <LocalTime iso={a.startedAt} style="time" />
            {a.endedAt ? ` for ${durationText(Date.parse(a.endedAt) - Date.parse(a.startedAt))}` : ""}
            {a.error ? (
              <span className="node-error">
                {" "}
                — {a.error.type}: {a.error.message}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {scheduled ? <ValueView value={scheduled.input} label="Input" /> : null}
      {completed ? <ValueView value={completed.result} label="Result" /> : null}
    </details>
  );
}

/** The history as bars on one time axis: each attempt of a step, each wait. */
function Timeline({ bars, from, to, label, cursor }: { bars: Bar[]; from: string; to: string; label: (id: string) => string; cursor?: string }) {
  if (bars.length === 0) return <p className="muted">No step has run and nothing has waited yet.</p>;
  const start = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - start);
  const pct = (iso: string) => Math.min(100, Math.max(0, ((Date.parse(iso) - start) / span) * 100));
  return (
    <>
      <ol className="timeline" aria-label="Attempts and waits over time">
        {bars.map((b, i) => {
          const left = pct(b.start);
          // A bar still open ends now, or, in a frame of the scrubber, at that frame's time.
          const right = b.end ? pct(b.end) : cursor ? pct(cursor) : 100;
          return (
            <li key={i} className="timeline-row">
              <span className="timeline-name">
                {label(b.nodeId)} <span className="muted">· {b.label}</span>
              </span>
              <span className="timeline-track">
                {cursor ? <span className="timeline-cursor" style={{ left: `${pct(cursor)}%` }} aria-hidden="true" /> : null}
                <span
                  className="timeline-bar"
                  data-outcome={b.outcome}
                  style={{ left: `${left}%`, width: `max(3px, ${Math.max(0, right - left)}%)` }}
                  title={`${label(b.nodeId)}, ${b.label}: ${b.outcome}${b.end ? ` after ${durationText(Date.parse(b.end) - Date.parse(b.start))}` : ", still going"}`}
                />
              </span>
              <span className="timeline-outcome small">
                {b.outcome === "open" ? (cursor ? "going on then" : "going on") : b.outcome}
                {b.end ? ` · ${durationText(Date.parse(b.end) - Date.parse(b.start))}` : ""}
              </span>
            </li>
          );
        })}
      </ol>
      <p className="muted small timeline-axis">
        <LocalTime iso={from} style="time" /> to <LocalTime iso={to} style="time" /> ({durationText(span)})
      </p>
    </>
  );
}
