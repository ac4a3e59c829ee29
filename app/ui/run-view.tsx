"use client";
// A run on its drawing: the version's canvas, read only, painted by designer/run-paint.ts (each
// node's state in colour and words: done with its duration, where the run is and what it waits
// for, counting down to a retry; failed nodes with their error; a held node with the deploy that
// frees it; the connections the run went along), the details of a node chosen on it (input,
// output, attempts with the worker of each, its block of generated code), a timeline of the
// history (each attempt a bar) and the history itself, both drawn a window at a time, a scrubber
// that paints the run as it stood after any event, and the actions an operator may take (signal
// with a form from what the node waits for, cancel, terminate, retry from the failed step),
// each after a confirmation. The page around it follows the run live (live-run.tsx) and hands in
// new props; the canvas repaints the nodes that changed, where they are.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { Position, WorkflowDocument } from "../../compiler/document.ts";
import { durationText, GrowingPainter, paintRun, passedNodes, receivedText, stateWords, takenWhen, type Bar, type NodePaint, type NodeState, type PaintEvent, type Wait } from "../../designer/run-paint.ts";
import type { Description, EventJson } from "../../engine/views.ts";
import { callApi } from "../lib/client-api.ts";
import { heldWords, whoRestores, type HeldWords } from "../lib/held-words.ts";
import { withQuery, workflowPath } from "../lib/paths.ts";
import { eventSentence, nodeKind, nodeLabel, orList, type Drawing } from "../lib/present.ts";
import type { CodeBlock } from "../lib/run-drawing.ts";
import { wholeHistory, type HistoryWindow, type WindowPaint } from "../lib/run-window.ts";
import { Confirm } from "./confirm.tsx";
import { subscribe, withFresh } from "./live-events.ts";
import { LocalTime } from "./local-time.tsx";
import { RestoreVersion } from "./restore-version.tsx";
import { RunCanvas } from "./run-canvas.tsx";
import type { RunMark } from "./run-node.tsx";
import { ApprovalVotes } from "./run-votes.tsx";
import { Segments } from "./segments.tsx";
import { ValueView } from "./value-view.tsx";
import { useWindowed } from "./windowed.ts";
import "../operate.css";

/** Where the run is: the states a node is "at". */
const AT: ReadonlySet<NodeState> = new Set(["running", "retrying", "waiting", "held"]);
const HISTORY_ROW = 44;
const TIMELINE_ROW = 26;

type Action = { kind: "cancel" | "terminate" | "retry" } | { kind: "signal"; signal: string; nodeId: string };

export function RunView({
  workflowId,
  drawing,
  positions,
  code,
  run,
  history,
  canOperate,
  serverNow,
  heldHelp,
}: {
  workflowId: string;
  drawing: Drawing;
  /** Where the nodes without a position go (the server's layout). */
  positions?: Record<string, Position>;
  /** Each node's blocks of the version's generated code. */
  code: Record<string, CodeBlock[]>;
  run: Description;
  /** The history, whole or its last events (run-window.ts). */
  history: HistoryWindow;
  canOperate: boolean;
  serverNow: string;
  /** For a held run's advice: the activities' titles, whether the viewer may restore a version, and a designer to ask. */
  heldHelp?: HeldHelp;
}) {
  const router = useRouter();
  const id = useId();
  // undefined: the run as it stands (live); a number: as it stood after that many events.
  const [frame, setFrame] = useState<number>();
  // `now` ticks while a step counts down to its next attempt; the painting itself is redone only
  // when an event comes, or when a countdown reaches its end (so a long history is not painted
  // four times a second).
  const [now, setNow] = useState(serverNow);
  const [paintNow, setPaintNow] = useState(serverNow);
  const [chosen, setChosen] = useState<string>();
  // The events the stream brought since the page's history: painted at once, until the page's
  // next refresh brings them too.
  const [fresh, setFresh] = useState<EventJson[]>([]);
  // A batch of events and the time it came are one update (one render a frame, however many came).
  useEffect(
    () =>
      subscribe(workflowId, (batch) => {
        const at = new Date().toISOString();
        setFresh((f) => [...f, ...batch]);
        setNow(at);
        setPaintNow(at);
      }),
    [workflowId],
  );
  const lastSeq = history.events.at(-1)?.seq ?? 0;
  useEffect(() => setFresh((f) => (f.some((e) => e.seq <= lastSeq) ? f.filter((e) => e.seq > lastSeq) : f)), [lastSeq]);
  // The whole history as far as the page knows it: the page's, or, when the page brought its last
  // events only, what came before them (kept from an earlier page, or fetched once the page is
  // drawn); undefined until then, while the page shows the server's painting.
  const [source, setSource] = useState(() => ({ window: history, known: wholeHistory(undefined, history) }));
  let known = source.known;
  if (source.window !== history) {
    // A history the server's page brought (and the time it came, as with the stream's).
    known = wholeHistory(source.known && withFresh(source.known, fresh), history);
    const at = new Date().toISOString();
    setSource({ window: history, known });
    setNow(at);
    setPaintNow(at);
  }
  // Asked for as soon as the page is drawn: the server reads it while the browser hydrates.
  const missing = known === undefined;
  useEffect(() => {
    if (!missing) return;
    let live = true;
    void callApi<EventJson[]>("GET", `/api/runs/${encodeURIComponent(workflowId)}/history`).then((result) => {
      if (live && result.ok) setSource((s) => (s.known ? s : { ...s, known: wholeHistory(result.data, s.window) }));
    });
    return () => {
      live = false;
    };
  }, [missing, workflowId]);
  const events = useMemo(() => (known ? withFresh(known, fresh) : undefined), [known, fresh]);
  const count = events ? events.length : history.total;
  /** The known events from index `offset` (the whole history from 0, or the page's last ones). */
  const shown = events ? { events, offset: 0 } : { events: history.events, offset: history.offset };
  const [action, setAction] = useState<Action>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [said, setSaid] = useState("");
  const [payload, setPayload] = useState("");

  // A version's drawing never changes: kept as first given, so that a refresh of the page (each
  // live event) hands the canvas the same document and it repaints without redrawing.
  const version = `${run.name}@${run.version}`;
  const doc = useMemo(() => drawing as unknown as WorkflowDocument, [version]);
  // Replaying an earlier frame waits for the whole history.
  const upTo = frame === undefined || !events ? count : Math.min(frame, count);
  const scrubbing = frame !== undefined && events !== undefined && frame < count;
  // The run as it stands is painted event by event as they come (only the new ones each time);
  // a frame of the scrubber, from its history.
  const [growing] = useState(() => new GrowingPainter());
  const painted = useMemo(
    () =>
      !events
        ? undefined
        : scrubbing
          ? paintRun(doc, events as unknown as PaintEvent[], { upTo, pending: run.pending, now: paintNow })
          : growing.paint(doc, events as unknown as PaintEvent[], { pending: run.pending, now: paintNow }),
    [doc, events, upTo, scrubbing, run.pending, paintNow, growing],
  );
  const paint: WindowPaint = painted ? { ...painted, barsFrom: 0, barCount: painted.bars.length } : history.paint!;
  const passed = useMemo(() => new Set(passedNodes(doc, paint)), [doc, paint]);
  const byId = useMemo(() => new Map(drawing.nodes.map((n) => [n.id, n])), [drawing]);
  const label = (nodeId: string) => nodeLabel(byId.get(nodeId), nodeId);
  // A held run in plain words: where it broke, what it did there and what the code does instead, what frees it.
  const held = useMemo(
    () =>
      run.held
        ? {
            ...run.held,
            words: heldWords(run.held, { label: (nodeId) => nodeLabel(byId.get(nodeId), nodeId), activityTitle: (name) => heldHelp?.activityTitles[name], startedVersion: run.startedVersion }),
            name: run.name,
            startedVersion: run.startedVersion,
            help: heldHelp,
          }
        : undefined,
    [run.held, run.name, run.startedVersion, byId, heldHelp],
  );

  // A countdown while a step waits to be tried again.
  const due = useMemo(() => {
    const times = Object.values(paint.nodes).flatMap((n) => (n.state === "retrying" && n.wait?.kind === "activity" && n.wait.nextAttemptAt ? [n.wait.nextAttemptAt] : []));
    return times.sort()[0];
  }, [paint]);
  const counting = !scrubbing && due !== undefined;
  useEffect(() => {
    if (!counting) return;
    const timer = setInterval(() => setNow(new Date().toISOString()), 250);
    return () => clearInterval(timer);
  }, [counting]);
  useEffect(() => {
    if (due !== undefined && Date.parse(now) >= Date.parse(due) && Date.parse(paintNow) < Date.parse(due)) setPaintNow(now);
  }, [due, now, paintNow]);

  // The run on each node, as the canvas paints it (a countdown only on the run as it stands).
  const marks = useMemo(() => {
    const out: Record<string, RunMark> = {};
    for (const node of drawing.nodes) {
      const p = paint.nodes[node.id];
      if (!p) continue;
      const state = stateOf(p, passed);
      out[node.id] = {
        state,
        visits: p.visits,
        ...(p.durationMs !== undefined ? { durationMs: p.durationMs } : {}),
        ...(p.wait ? { wait: p.wait } : {}),
        ...(p.error ? { error: p.error } : {}),
        ...(p.outcome ? { outcome: p.outcome } : {}),
        ...(state === "retrying" && !scrubbing ? { now } : {}),
        ...(state === "held" && held?.nodeId === node.id ? { held: { short: held.words.short, free: held.words.freeShort } } : {}),
      };
    }
    return out;
  }, [drawing.nodes, paint, passed, scrubbing, now, held]);
  const chosenNode = chosen === undefined ? undefined : byId.get(chosen);

  const open = run.status === "running";
  const failedStep = run.status === "failed" && paint.error?.nodeId !== undefined && byId.get(paint.error.nodeId)?.type === "step";
  // A held run takes no signal until a deploy frees it (its wait may even have one already):
  // no signal is offered, and the advice beside the drawing says what frees it.
  const signals = open && !run.held ? run.pending.filter((p) => p.kind === "signal" && p.signal) : [];

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

  const first = events?.[0]?.at ?? history.firstAt ?? run.startedAt;
  // The axis spans the whole run (to its end, or now); a frame shows where it stood then.
  const lastAt = shown.events.at(-1)?.at;
  const last = run.closedAt ?? (lastAt && Date.parse(lastAt) > Date.parse(now) ? lastAt : now);
  const frameEvent = upTo > 0 ? shown.events[upTo - 1 - shown.offset] : undefined;

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
          {open && run.held ? (
            <p className="muted small">
              No signal is offered: a held run takes none until a deploy frees it, as “Where the run is” explains.
            </p>
          ) : null}
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
          <button type="button" className="button button-small" onClick={() => setFrame(Math.max(0, upTo - 1))} disabled={upTo === 0 || !events}>
            Back one event
          </button>
          <input
            type="range"
            min={0}
            max={count}
            value={upTo}
            disabled={!events}
            onChange={(e) => {
              const n = Number(e.target.value);
              setFrame(n >= count ? undefined : n);
            }}
            aria-label="Position in the history"
            aria-valuetext={`after event ${upTo} of ${count}`}
          />
          <button type="button" className="button button-small" onClick={() => setFrame(upTo + 1 >= count ? undefined : upTo + 1)} disabled={!scrubbing}>
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
                As it stood after event {upTo} of {count}
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
            <>
              {open ? "Live: the run as it stands now." : `The run as it ended, after ${count} events.`}
              {events ? null : " Loading the whole history to replay it…"}
            </>
          )}
        </p>
      </section>

      <div className="run-main">
        <section aria-labelledby="drawing-heading" className="panel run-drawing">
          <h2 id="drawing-heading">Drawing{scrubbing ? ` after event ${upTo}` : ""}</h2>
          {drawing.nodes.length === 0 ? (
            <p className="muted">The drawing of version {run.version} could not be read.</p>
          ) : (
            <>
              <RunCanvas key={version} doc={doc} positions={positions} marks={marks} taken={paint.edgesTaken} chosen={chosen} onChoose={setChosen} label="Canvas" className="run-canvas-page" />
              <Legend />
            </>
          )}
        </section>
        <section aria-labelledby={`${id}-side`} className="panel run-side">
          {chosenNode ? (
            <NodeDetails
              headingId={`${id}-side`}
              node={chosenNode}
              paint={paint.nodes[chosenNode.id] ?? { nodeId: chosenNode.id, state: "not-reached", visits: 0, attempts: [] }}
              state={marks[chosenNode.id]?.state ?? "not-reached"}
              events={shown.events}
              offset={shown.offset}
              upTo={upTo}
              code={code[chosenNode.id]}
              held={held?.nodeId === chosenNode.id ? held : undefined}
              now={now}
              live={!scrubbing}
              onClose={() => setChosen(undefined)}
            />
          ) : (
            <WhereItIs headingId={`${id}-side`} drawing={drawing} paint={paint} marks={marks} held={held} now={now} live={!scrubbing} status={run.status} onChoose={setChosen} />
          )}
        </section>
      </div>

      <div className="columns run-history">
        <section aria-labelledby={`${id}-timeline`} className="panel">
          <h2 id={`${id}-timeline`}>Timeline</h2>
          <Timeline bars={paint.bars} barsFrom={paint.barsFrom} barCount={paint.barCount} from={first} to={last} label={label} cursor={scrubbing ? (paint.at ?? first) : undefined} />
        </section>
        <section aria-labelledby="history-heading" className="panel">
          <h2 id="history-heading">History</h2>
          {count === 0 ? (
            <p className="muted">Nothing has happened yet.</p>
          ) : (
            <History events={shown.events} offset={shown.offset} count={count} upTo={upTo} scrubbing={scrubbing} label={label} onJump={(n) => setFrame(n >= count ? undefined : n)} />
          )}
        </section>
      </div>
    </>
  );
}

function stateOf(p: NodePaint, passed: ReadonlySet<string>): NodeState {
  return p.state === "not-reached" && passed.has(p.nodeId) ? "passed" : p.state;
}

function Legend() {
  return (
    <ul className="run-legend small" aria-label="What the colours say">
      <li data-state="done">done</li>
      <li data-state="waiting">where the run is</li>
      <li data-state="retrying">waiting to retry, or held</li>
      <li data-state="failed">failed</li>
      <li data-state="taken">the way the run went</li>
    </ul>
  );
}

/** With no node chosen: where the run is and what it waits for, each a way into its node. */
function WhereItIs({
  headingId,
  drawing,
  paint,
  marks,
  held,
  now,
  live,
  status,
  onChoose,
}: {
  headingId: string;
  drawing: Drawing;
  paint: ReturnType<typeof paintRun>;
  marks: Record<string, RunMark>;
  held: HeldView | undefined;
  now: string;
  live: boolean;
  status: Description["status"];
  onChoose: (id: string) => void;
}) {
  const here = drawing.nodes.filter((n) => {
    const state = marks[n.id]?.state;
    return state !== undefined && (AT.has(state) || state === "failed" || state === "stopped");
  });
  return (
    <>
      <h2 id={headingId}>{paint.status === "running" ? "Where the run is" : "Where the run ended"}</h2>
      {here.length === 0 ? (
        <p className="muted">
          {paint.status === "running" ? "The run is between steps." : `The run ${paint.status === "completed" ? "completed" : `was ${paint.status}`}.`}
          {status !== paint.status ? " (as it stood then)" : ""}
        </p>
      ) : (
        <ul className="where-list">
          {here.map((n) => {
            const p = paint.nodes[n.id]!;
            const mark = marks[n.id]!;
            return (
              <li key={n.id} data-state={mark.state}>
                <button type="button" className="link-button" onClick={() => onChoose(n.id)}>
                  {nodeLabel(n, n.id)}
                </button>{" "}
                <span className="rnode-state" data-state={mark.state}>
                  {stateWords(mark)}
                </span>
                {/* A held node's wait is its reason, which the advice below says. */}
                {p.wait && !(p.wait.kind === "held" && held?.nodeId === n.id) ? (
                  <p className="where-wait">
                    <WaitLine wait={p.wait} now={now} live={live} />
                  </p>
                ) : null}
                {mark.state === "failed" && p.error ? (
                  <p className="where-wait node-error">
                    {p.error.type}: {p.error.message}
                  </p>
                ) : null}
                {held && held.nodeId === n.id ? <HeldAdvice held={held} /> : null}
              </li>
            );
          })}
        </ul>
      )}
      <p className="muted small">Choose a node on the drawing (click it, or Tab to it and press Enter) to see its input, output, attempts and code.</p>
    </>
  );
}

/** What the page knows besides describe for a held run's advice. */
export interface HeldHelp {
  /** Activities' titles by name, as workers registered them. */
  activityTitles: Record<string, string>;
  /** Whether the viewer may restore a version as the draft (designers). */
  canRestore: boolean;
  /** A designer to ask, for those who may not: who deployed the run's version (or the one it started on). */
  deployer?: { name: string; version: number };
}

/** A held run as the run view shows it: describe's fields, its words, and what the advice links to. */
type HeldView = NonNullable<Description["held"]> & { words: HeldWords; name: string; startedVersion?: number; help?: HeldHelp };

/** Where a held run broke, what it did there and what the code does instead, and what frees it; the error itself for developers. */
function HeldAdvice({ held }: { held: HeldView }) {
  const { words } = held;
  const from = held.startedVersion ?? held.version - 1;
  return (
    <div className="alert alert-warning held-advice">
      <p>
        <strong>
          Held at “{words.where}” since <LocalTime iso={held.since} />
        </strong>{" "}
        (marked on the drawing).
      </p>
      <p>{words.what}</p>
      <p>{words.free}</p>
      {from >= 1 && from !== held.version ? (
        <div className="actions held-actions">
          <Link href={withQuery(`${workflowPath(held.name)}/compare`, { from: String(from), to: String(held.version) })}>
            What changed from version {from} to version {held.version}
          </Link>
          {/* The version it started on, made the draft again: what the advice says to deploy. */}
          {held.startedVersion !== undefined && held.help?.canRestore ? <RestoreVersion name={held.name} version={held.startedVersion} /> : null}
        </div>
      ) : null}
      {held.startedVersion !== undefined && held.startedVersion !== held.version && held.help && !held.help.canRestore ? (
        <p className="small">{whoRestores(held.startedVersion, held.help.deployer)}</p>
      ) : null}
      <details className="held-technical">
        <summary>Technical details</summary>
        <p className="mono small">{words.technical}</p>
      </details>
    </div>
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
      if (wait.received) return <Received received={wait.received} />;
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
      if (wait.received) return <Received received={wait.received} />;
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

/** What a run was sent while it waited, and when it takes it. */
function Received({ received }: { received: NonNullable<Extract<Wait, { kind: "signal" }>["received"]> }) {
  const text = receivedText(received);
  return (
    <>
      {text.charAt(0).toUpperCase() + text.slice(1)} (<LocalTime iso={received.at} />): it is {takenWhen(received)}.
    </>
  );
}

/** A node's details: what the run did there, its input and output, its attempts, its code. */
function NodeDetails({
  headingId,
  node,
  paint,
  state,
  events,
  offset,
  upTo,
  code,
  held,
  now,
  live,
  onClose,
}: {
  headingId: string;
  node: Drawing["nodes"][number];
  paint: NodePaint;
  state: NodeState;
  /** The known events from index `offset`: the whole history, or its last events while the rest loads. */
  events: EventJson[];
  offset: number;
  upTo: number;
  code: CodeBlock[] | undefined;
  held: HeldView | undefined;
  now: string;
  live: boolean;
  onClose: () => void;
}) {
  const name = nodeLabel(node, node.id);
  // Its own events, up to the frame shown: the latest of each kind is its latest visit's.
  const mine = useMemo(() => {
    const found: Record<string, EventJson> = {};
    for (let i = offset; i < upTo; i++) {
      const e = events[i - offset];
      if (e?.nodeId === node.id) found[e.type] = e;
    }
    return found;
  }, [events, offset, upTo, node.id]);
  const input = node.type === "step" ? mine.ActivityScheduled?.input : undefined;
  const received = mine.SignalReceived;
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus({ preventScroll: true }), [node.id]);
  return (
    <div className="node-details">
      <div className="node-details-head">
        <h2 id={headingId}>{name}</h2>
        <button type="button" ref={close} className="button button-small" onClick={onClose} aria-label={`Close the details of ${name}`}>
          Close
        </button>
      </div>
      <p className="muted small node-details-kind">
        {nodeKind(node)}
        {node.label?.trim() ? <span className="mono"> · {node.id}</span> : null}
      </p>
      <p>
        <span className="rnode-state" data-state={state}>
          {stateWords({ state, durationMs: paint.durationMs })}
        </span>
        {paint.visits > 1 ? <span className="muted small"> · {paint.visits} visits; this is the latest</span> : null}
        {paint.startedAt ? (
          <span className="muted small">
            {" "}
            · from <LocalTime iso={paint.startedAt} style="time" />
            {paint.endedAt ? (
              <>
                {" "}
                to <LocalTime iso={paint.endedAt} style="time" />
              </>
            ) : null}
          </span>
        ) : null}
      </p>
      {/* A held node's wait is its reason, which the advice below says. */}
      {paint.wait && !(paint.wait.kind === "held" && held) ? (
        <p className="node-details-wait">
          <WaitLine wait={paint.wait} now={now} live={live} />
        </p>
      ) : null}
      {paint.error ? (
        <p className="alert alert-error">
          <strong>{paint.error.type}</strong>: {paint.error.message}
        </p>
      ) : null}
      {paint.outcome ? <p>{paint.outcome[0]!.toUpperCase() + paint.outcome.slice(1)}.</p> : null}
      {held ? <HeldAdvice held={held} /> : null}

      {paint.attempts.length > 0 ? (
        <>
          <h3>{paint.attempts.length === 1 ? "1 attempt" : `${paint.attempts.length} attempts`}</h3>
          <ol className="attempts">
            {paint.attempts.map((a) => (
              <li key={a.attempt} data-outcome={a.outcome}>
                Attempt {a.attempt}: <strong>{a.outcome}</strong>
                {a.worker ? ` on ${a.worker}` : ""}, at <LocalTime iso={a.startedAt} style="time" />
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
        </>
      ) : null}
      {input !== undefined ? (
        <>
          <h3>Input</h3>
          <ValueView value={input} label="Input" />
        </>
      ) : null}
      {mine.ActivityCompleted ? (
        <>
          <h3>Output</h3>
          <ValueView value={mine.ActivityCompleted.result} label="Output" />
        </>
      ) : null}
      {received && received.payload !== undefined && received.payload !== null ? (
        <>
          <h3>{node.type === "approval" ? "Decision" : "What came with the signal"}</h3>
          <ValueView value={received.payload} label={node.type === "approval" ? "Decision" : "Signal payload"} />
        </>
      ) : null}
      {paint.visits === 0 && state === "not-reached" ? <p className="muted">The run has not come here{live ? "" : " by then"}.</p> : null}

      <h3>Code</h3>
      {code && code.length > 0 ? (
        code.map((block) => (
          <pre key={block.start} className="run-code" aria-label={`Generated code of ${name}, from line ${block.start}`}>
            {block.lines.map((line, i) => (
              <span key={i} className="run-code-line">
                <span className="run-code-ln" aria-hidden="true">
                  {block.start + i}
                </span>
                {line}
                {"\n"}
              </span>
            ))}
          </pre>
        ))
      ) : (
        <p className="muted small">This node has no code of its own: the run passes through it.</p>
      )}
    </div>
  );
}

/**
 * The history, one event a row, drawn a window at a time; a row's number replays up to it.
 * `count` events, of which those from `offset` on are known (the rest are loading).
 */
function History({
  events,
  offset,
  count,
  upTo,
  scrubbing,
  label,
  onJump,
}: {
  events: EventJson[];
  offset: number;
  count: number;
  upTo: number;
  scrubbing: boolean;
  label: (id: string) => string;
  onJump: (n: number) => void;
}) {
  const win = useWindowed(count, HISTORY_ROW, { stickToEnd: true });
  const { reveal } = win;
  useEffect(() => {
    if (scrubbing) reveal(Math.max(0, upTo - 1));
  }, [scrubbing, upTo, reveal]);
  const rows = [];
  for (let i = win.first; i < win.last; i++) {
    const e = events[i - offset];
    rows.push(
      <li
        key={e ? e.seq : `loading-${i}`}
        data-type={e?.type}
        data-later={i >= upTo ? "true" : undefined}
        aria-current={scrubbing && i === upTo - 1 ? "step" : undefined}
        aria-posinset={i + 1}
        aria-setsize={count}
        style={{ height: HISTORY_ROW }}
      >
        <button type="button" className="history-jump" onClick={() => onJump(i + 1)} aria-label={`Replay up to event ${i + 1}`}>
          {i + 1}
        </button>
        {e ? (
          <>
            <span className="history-time">
              <LocalTime iso={e.at} style="time" />
            </span>
            <span className="history-text">
              <Segments parts={eventSentence(e, label)} />
            </span>
          </>
        ) : (
          <span className="history-text muted">loading…</span>
        )}
      </li>,
    );
  }
  return (
    <>
      <div className="window history-window" ref={win.ref} onScroll={win.onScroll}>
        <ol className="history" style={{ height: count * HISTORY_ROW, paddingTop: win.first * HISTORY_ROW }}>
          {rows}
        </ol>
      </div>
      <p className="muted small window-note">
        {offset > 0
          ? `The last ${count - offset} of ${count} events are here; the earlier ones are loading. Once they have come, scroll up, or move the replay’s slider, to reach any of them.`
          : `${count} ${count === 1 ? "event" : "events"}; scroll, or move the replay’s slider, to reach any of them.`}
      </p>
    </>
  );
}

/**
 * The history as bars on one time axis (each attempt of a step, each wait), a window at a time:
 * `barCount` bars, of which those from `barsFrom` on are known (the rest are loading).
 */
function Timeline({
  bars,
  barsFrom,
  barCount,
  from,
  to,
  label,
  cursor,
}: {
  bars: Bar[];
  barsFrom: number;
  barCount: number;
  from: string;
  to: string;
  label: (id: string) => string;
  cursor?: string;
}) {
  const win = useWindowed(barCount, TIMELINE_ROW, { stickToEnd: true });
  if (barCount === 0) return <p className="muted">No step has run and nothing has waited yet.</p>;
  const start = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - start);
  const pct = (iso: string) => Math.min(100, Math.max(0, ((Date.parse(iso) - start) / span) * 100));
  const rows = [];
  for (let i = win.first; i < Math.min(win.last, barCount); i++) {
    const b = bars[i - barsFrom];
    if (!b) {
      rows.push(
        <li key={i} className="timeline-row" style={{ height: TIMELINE_ROW }} aria-posinset={i + 1} aria-setsize={barCount}>
          <span className="timeline-name muted">loading…</span>
        </li>,
      );
      continue;
    }
    const left = pct(b.start);
    // A bar still open ends now, or, in a frame of the scrubber, at that frame's time.
    const right = b.end ? pct(b.end) : cursor ? pct(cursor) : 100;
    rows.push(
      <li key={i} className="timeline-row" style={{ height: TIMELINE_ROW }} aria-posinset={i + 1} aria-setsize={barCount}>
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
      </li>,
    );
  }
  return (
    <>
      <div
        className="window timeline-window"
        ref={win.ref}
        onScroll={win.onScroll}
        // A box that scrolls is reached by the keyboard (its bars have nothing else to focus).
        {...(barCount * TIMELINE_ROW > 300 ? { tabIndex: 0, role: "group", "aria-label": "Attempts and waits, scrollable" } : {})}
      >
        <ol className="timeline" aria-label="Attempts and waits over time" style={{ height: barCount * TIMELINE_ROW, paddingTop: win.first * TIMELINE_ROW }}>
          {rows}
        </ol>
      </div>
      <p className="muted small timeline-axis">
        <LocalTime iso={from} style="time" /> to <LocalTime iso={to} style="time" /> ({durationText(span)})
      </p>
      {barsFrom > 0 ? (
        <p className="muted small window-note">
          The last {barCount - barsFrom} of {barCount} attempts and waits are here; the earlier ones are loading, and can be scrolled to once they have come.
        </p>
      ) : null}
    </>
  );
}
