// One run: its status, its outcome, and its drawing painted with the run (run-view.tsx: where
// it is and what it waits for, a timeline, a scrubber over its history, the operator's
// actions); live while the run runs. The drawing's layout and code blocks are made here, once
// per version (lib/run-drawing.ts).
import Link from "next/link";
import type { WorkflowDocument } from "../../../../compiler/document.ts";
import { notFound } from "next/navigation";
import { WORKFLOW_ID } from "../../../lib/http.ts";
import { runWithHistory } from "../../../lib/api/runs.ts";
import { activities as listActivities, version as getVersion, versions as listVersions } from "../../../lib/api/workflows.ts";
import { signedIn } from "../../../lib/signed-in.ts";
import { orNotFound, orNothing } from "../../../lib/page-data.ts";
import { drawingOf } from "../../../lib/present.ts";
import { runDrawing } from "../../../lib/run-drawing.ts";
import { historyWindow } from "../../../lib/run-window.ts";
import { param, runPath, withQuery, workflowPath } from "../../../lib/paths.ts";
import { LocalTime } from "../../../ui/local-time.tsx";
import { StatusBadge } from "../../../ui/status-badge.tsx";
import { ValueView } from "../../../ui/value-view.tsx";
import { LiveRun } from "../../../ui/live-run.tsx";
import { RunView } from "../../../ui/run-view.tsx";
import { RunVotes } from "../../../ui/run-votes.tsx";
import { mayDesign, mayOperate } from "../../../lib/roles.ts";
import { Breadcrumb } from "../../../ui/breadcrumb.tsx";

type Props = { params: Promise<{ workflowId: string }> };

export async function generateMetadata({ params }: Props) {
  return { title: `Run ${param((await params).workflowId)}` };
}

export default async function RunPage({ params }: Props) {
  const workflowId = param((await params).workflowId);
  const caller = await signedIn(runPath(workflowId));
  if (!WORKFLOW_ID.test(workflowId)) notFound();
  const { description: run, history: events } = await orNotFound(runWithHistory(workflowId));
  const version = await orNothing(getVersion(run.name, run.version));
  const drawing = drawingOf(version?.document);
  const { positions, code } = version ? await runDrawing(`${run.name}@${run.version}`, drawing as unknown as WorkflowDocument, version.code) : { positions: undefined, code: {} };
  const title = drawing.title ?? run.name;
  const lastEventId = events.reduce((max, e) => Math.max(max, e.seq), 0);
  const running = run.status === "running";
  // A long history is not sent whole: its last events and the run painted (run-window.ts).
  const serverNow = new Date().toISOString();
  const history = historyWindow(drawing as unknown as WorkflowDocument, events, { pending: run.pending, now: serverNow });
  // A held run's advice names steps by their activities' titles, and a designer to ask.
  const [activities, versions] = run.held ? await Promise.all([listActivities(), orNothing(listVersions(run.name))]) : [];
  const activityTitles = activities && Object.fromEntries(activities.map((a) => [a.name, a.title]));
  const deployer = [run.version, run.startedVersion].map((n) => versions?.find((v) => v.version === n)).find((v) => v?.deployedBy);

  return (
    <>
      <Breadcrumb trail={[{ href: "/runs", label: "Runs" }]} />
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
              {run.startedVersion === undefined ? null : `, started on version ${run.startedVersion}`}
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

      {run.status !== "running" || run.result !== undefined || run.error ? (
        <section aria-labelledby="outcome-heading" className="panel run-block">
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

      <RunVotes pending={run.pending}>
        <RunView workflowId={workflowId} drawing={drawing} positions={positions} code={code} run={run} history={history} canOperate={mayOperate(caller)} serverNow={serverNow}
          {...(run.held ? { heldHelp: { activityTitles: activityTitles ?? {}, canRestore: mayDesign(caller), ...(deployer ? { deployer: { name: deployer.deployedBy!, version: deployer.version } } : {}) } } : {})}
        />
      </RunVotes>

      <section aria-labelledby="input-heading" className="panel run-input">
        <h2 id="input-heading">Input</h2>
        {run.input === undefined || run.input === null ? <p className="muted">The run started without input.</p> : <ValueView value={run.input} label="Input" />}
      </section>
      <p className="small run-links">
        <Link href={withQuery("/runs", { name: run.name })}>Other runs of {title}</Link>
        {" · "}
        <Link href={withQuery("/outbox", { run: workflowId })}>What this run sent (outbox)</Link>
      </p>
      {running ? <LiveRun workflowId={workflowId} lastEventId={lastEventId} /> : null}
    </>
  );
}
