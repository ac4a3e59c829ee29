// Runs, newest first: filtered by status and workflow, searched by workflow id, paged.
import Link from "next/link";
import type { RunStatus } from "../../../engine/views.ts";
import { list as listRuns } from "../../lib/api/runs.ts";
import { listWorkflows } from "../../lib/api/workflows.ts";
import { signedIn } from "../../lib/signed-in.ts";
import { RUN_STATUSES } from "../../lib/present.ts";
import { runPath, withQuery, workflowPath } from "../../lib/paths.ts";
import { LocalTime } from "../../ui/local-time.tsx";
import { StatusBadge } from "../../ui/status-badge.tsx";
import { AutoRefresh } from "../../ui/auto-refresh.tsx";

export const metadata = { title: "Runs" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

export default async function RunsPage({ searchParams }: Props) {
  const query = await searchParams;
  const statusParam = one(query.status);
  const status = RUN_STATUSES.includes(statusParam as RunStatus) ? (statusParam as RunStatus) : undefined;
  const name = one(query.name)?.slice(0, 100);
  const q = one(query.q)?.slice(0, 200);
  const cursor = one(query.cursor)?.slice(0, 500);
  await signedIn(withQuery("/runs", { status, name, q, cursor }));

  const [workflows, page] = await Promise.all([listWorkflows(), listRuns({ status, name, q, cursor, limit: 50 }).catch(badCursor(cursor))]);
  const titles = new Map(workflows.map((w) => [w.name, w.title || w.name]));
  const filtered = Boolean(status || name || q);
  return (
    <>
      <div className="page-head">
        <h1>Runs</h1>
        <p className="muted">Every run of every workflow, newest first.</p>
      </div>

      <form method="get" action="/runs" className="filters" aria-label="Filter runs">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" name="status" defaultValue={status ?? ""}>
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-name">Workflow</label>
          <select id="filter-name" name="name" defaultValue={name ?? ""}>
            <option value="">Any workflow</option>
            {workflows.map((w) => (
              <option key={w.name} value={w.name}>
                {w.title || w.name}
              </option>
            ))}
            {name && !titles.has(name) ? <option value={name}>{name}</option> : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-q">Workflow id starts with</label>
          <input id="filter-q" name="q" defaultValue={q ?? ""} autoComplete="off" spellCheck={false} />
        </div>
        <div className="filter-actions">
          <button type="submit" className="button button-primary">
            Filter
          </button>
          {filtered ? (
            <Link href="/runs" className="button button-quiet">
              Clear filters
            </Link>
          ) : null}
        </div>
      </form>

      {!page ? (
        <div className="empty">
          <h2>This page of runs is no longer there</h2>
          <p>
            <Link href={withQuery("/runs", { status, name, q })}>Start again from the newest runs</Link>.
          </p>
        </div>
      ) : page.runs.length === 0 ? (
        <div className="empty">
          {filtered ? (
            <>
              <h2>No runs match these filters</h2>
              <p>
                Try another status or workflow, or <Link href="/runs">clear the filters</Link>.
              </p>
            </>
          ) : cursor ? (
            <>
              <h2>No more runs</h2>
              <p>
                <Link href="/runs">Back to the newest runs</Link>
              </p>
            </>
          ) : (
            <>
              <h2>No runs yet</h2>
              <p>
                Runs appear here as soon as a workflow starts, through the API or from the command line with <code>npx weft start NAME</code>.
              </p>
            </>
          )}
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Runs{filtered ? ", filtered" : ""}</caption>
              <thead>
                <tr>
                  <th scope="col">Workflow id</th>
                  <th scope="col">Workflow</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Ended</th>
                </tr>
              </thead>
              <tbody>
                {page.runs.map((run) => (
                  <tr key={run.runId}>
                    <th scope="row">
                      <Link href={runPath(run.workflowId)} className="row-link mono">
                        {run.workflowId}
                      </Link>
                    </th>
                    <td>
                      <Link href={workflowPath(run.name)} className="quiet-link">
                        {titles.get(run.name) ?? run.name}
                      </Link>
                      <span className="sub">version {run.version}</span>
                    </td>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td className="nowrap">
                      <LocalTime iso={run.startedAt} />
                    </td>
                    <td className="nowrap">{run.closedAt ? <LocalTime iso={run.closedAt} /> : <span className="muted">still running</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav aria-label="Pages of runs" className="pager">
            {cursor ? <Link href={withQuery("/runs", { status, name, q })}>Newest runs</Link> : <span />}
            {page.next ? (
              <Link href={withQuery("/runs", { status, name, q, cursor: page.next })} className="button">
                Next page
              </Link>
            ) : null}
          </nav>
        </>
      )}
      {!cursor ? <AutoRefresh everyMs={5000} /> : null}
    </>
  );
}

/** A cursor the engine refuses (edited by hand, or from an older build): no page, not an error page. */
function badCursor(cursor: string | undefined) {
  return (err: unknown) => {
    const code = (err as { code?: string } | null)?.code;
    if (cursor && (code === "BAD_REQUEST" || code === "INVALID")) return undefined;
    throw err;
  };
}
