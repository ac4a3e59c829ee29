// One run: its status, the nodes of its drawing with where it is now, its outcome, and its
// history in words; live while the run runs. (The painted drawing comes with the run views.)
import Link from "next/link";
import { notFound } from "next/navigation";
import { WORKFLOW_ID } from "../../../lib/http.ts";
import { describe, history as runHistory } from "../../../lib/api/runs.ts";
import { version as getVersion } from "../../../lib/api/workflows.ts";
import { signedIn } from "../../../lib/signed-in.ts";
import { orNotFound, orNothing } from "../../../lib/page-data.ts";
import { drawingOf, eventSentence, nodeKind, nodeLabel, nodeStates, pendingSentence, type NodeState } from "../../../lib/present.ts";
import { param, runPath, withQuery, workflowPath } from "../../../lib/paths.ts";
import { LocalTime } from "../../../ui/local-time.tsx";
import { Segments } from "../../../ui/segments.tsx";
import { StatusBadge } from "../../../ui/status-badge.tsx";
import { ValueView } from "../../../ui/value-view.tsx";
import { LiveRun } from "../../../ui/live-run.tsx";

type Props = { params: Promise<{ workflowId: string }> };

export async function generateMetadata({ params }: Props) {
  return { title: `Run ${param((await params).workflowId)}` };
}

const STATE_TEXT: Record<NodeState, string> = {
  waiting: "waiting here",
  failed: "failed here",
  done: "done",
  "not-reached": "not reached",
};

export default async function RunPage({ params }: Props) {
  const workflowId = param((await params).workflowId);
  await signedIn(runPath(workflowId));
  if (!WORKFLOW_ID.test(workflowId)) notFound();
  const run = await orNotFound(describe(workflowId));
  const [events, version] = await Promise.all([runHistory(workflowId), orNothing(getVersion(run.name, run.version))]);
  const drawing = drawingOf(version?.document);
  const byId = new Map(drawing.nodes.map((n) => [n.id, n]));
  const label = (id: string) => nodeLabel(byId.get(id), id);
  const states = nodeStates(drawing, events, run.pending);
  const title = drawing.title ?? run.name;
  const lastEventId = events.reduce((max, e) => Math.max(max, e.seq), 0);
  const running = run.status === "running";

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/runs">Runs</Link>
        <span aria-hidden="true"> / </span>
      </nav>
      <div className="page-head">
        <h1 className="mono">{workflowId}</h1>
        <dl className="summary">
          <div>
            <dt id="run-status-label">Status</dt>
            <dd>
              <StatusBadge status={run.status} labelledBy="run-status-label" />
            </dd>
          </div>
          <div>
            <dt>Workflow</dt>
            <dd>
              <Link href={workflowPath(run.name)}>{title}</Link>, version {run.version}
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>
              <LocalTime iso={run.startedAt} />
            </dd>
          </div>
          {run.closedAt ? (
            <div>
              <dt>Ended</dt>
              <dd>
                <LocalTime iso={run.closedAt} />
              </dd>
            </div>
          ) : null}
        </dl>
        {running ? <p className="muted small live-note">This page follows the run as it goes.</p> : null}
      </div>

      {run.continuedFromRunId || run.retriedFromRunId ? (
        <p className="muted">
          {run.retriedFromRunId ? "This run retries a failed run from the step where it failed." : "This run continues an earlier run of the same workflow id."}
        </p>
      ) : null}

      <div className="columns">
        <div className="stack">
          <section aria-labelledby="drawing-heading" className="panel">
            <h2 id="drawing-heading">Drawing</h2>
            {drawing.nodes.length === 0 ? (
              <p className="muted">The drawing of version {run.version} could not be read.</p>
            ) : (
              <ol className="node-list">
                {drawing.nodes.map((node) => {
                  const state = states.get(node.id) ?? "not-reached";
                  const pending = run.pending.filter((p) => p.nodeId === node.id);
                  return (
                    <li key={node.id} className="node" data-kind={node.type} data-state={state} aria-current={state === "waiting" ? "step" : undefined}>
                      <span className="node-label">{nodeLabel(node, node.id)}</span>
                      <span className="node-kind">{nodeKind(node)}</span>
                      <span className="node-state" data-state={state}>
                        {STATE_TEXT[state]}
                      </span>
                      {pending.map((p, i) => (
                        <span key={i} className="node-detail">
                          <Segments parts={pendingSentence(p)} />
                        </span>
                      ))}
                    </li>
                  );
                })}
              </ol>
            )}
          </section>

          {run.status !== "running" || run.result !== undefined || run.error ? (
            <section aria-labelledby="outcome-heading" className="panel">
              <h2 id="outcome-heading">{run.error ? "Error" : "Result"}</h2>
              {run.error ? (
                <p className="alert alert-error">
                  <strong>{run.error.type}</strong>: {run.error.message}
                </p>
              ) : run.result !== undefined ? (
                <ValueView value={run.result} label="Result" />
              ) : (
                <p className="muted">{run.status === "completed" ? "The run completed without a result." : `The run was ${run.status}.`}</p>
              )}
            </section>
          ) : null}

          <section aria-labelledby="input-heading" className="panel">
            <h2 id="input-heading">Input</h2>
            {run.input === undefined || run.input === null ? <p className="muted">The run started without input.</p> : <ValueView value={run.input} label="Input" />}
          </section>
        </div>

        <section aria-labelledby="history-heading" className="panel">
          <h2 id="history-heading">History</h2>
          {events.length === 0 ? (
            <p className="muted">Nothing has happened yet.</p>
          ) : (
            <ol className="history">
              {events.map((e) => (
                <li key={e.seq} data-type={e.type}>
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
          <p className="small">
            <Link href={withQuery("/runs", { name: run.name })}>Other runs of {title}</Link>
          </p>
        </section>
      </div>
      {running ? <LiveRun workflowId={workflowId} lastEventId={lastEventId} /> : null}
    </>
  );
}
