// Runs, newest first: filtered by status, workflow, version, the node a run waits at and when
// it started, searched by workflow id, paged; live counts per status; operators cancel or
// terminate a selection (runs-table.tsx).
import Link from "next/link";
import type { RunStatus } from "../../../engine/views.ts";
import { mayOperate } from "../../lib/roles.ts";
import { listWithCounts } from "../../lib/api/runs.ts";
import { listWorkflows } from "../../lib/api/workflows.ts";
import { signedIn } from "../../lib/signed-in.ts";
import { RUN_STATUSES } from "../../lib/present.ts";
import { withQuery } from "../../lib/paths.ts";
import { AutoRefresh } from "../../ui/auto-refresh.tsx";
import { RunsTable } from "../../ui/runs-table.tsx";
import "../../operate.css";

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
  const versionParam = one(query.version);
  const version = versionParam && /^[1-9][0-9]{0,8}$/.test(versionParam) ? versionParam : undefined;
  const node = one(query.node)?.slice(0, 200);
  const from = dateTime(one(query.from));
  const to = dateTime(one(query.to));
  const filters = { status, name, version, node, from, to, q };
  const caller = await signedIn(withQuery("/runs", { ...filters, cursor }));

  const [workflows, page] = await Promise.all([
    listWorkflows(),
    listWithCounts({ status, name, q, node, cursor, limit: 50, counts: "true", ...(version ? { version: Number(version) } : {}), ...(from ? { from: utc(from) } : {}), ...(to ? { to: utc(to) } : {}) }).catch(
      badCursor(cursor),
    ),
  ]);
  const titles = new Map(workflows.map((w) => [w.name, w.title || w.name]));
  const filtered = Boolean(status || name || q || version || node || from || to);
  const counts = page && "counts" in page ? page.counts : undefined;
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
        <div className="field field-narrow">
          <label htmlFor="filter-version">Version</label>
          <input id="filter-version" name="version" type="number" min={1} step={1} inputMode="numeric" defaultValue={version ?? ""} placeholder="Any" />
        </div>
        <div className="field">
          <label htmlFor="filter-node">Waiting at node</label>
          <input id="filter-node" name="node" defaultValue={node ?? ""} autoComplete="off" spellCheck={false} placeholder="A node id" />
        </div>
        <div className="field">
          <label htmlFor="filter-from">Started from (UTC)</label>
          <input id="filter-from" name="from" type="datetime-local" defaultValue={from ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="filter-to">Started before (UTC)</label>
          <input id="filter-to" name="to" type="datetime-local" defaultValue={to ?? ""} />
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

      {counts ? (
        <nav aria-label="Runs by status" className="status-counts">
          <Link href={withQuery("/runs", { ...filters, status: undefined })} aria-current={status === undefined ? "true" : undefined}>
            All <span className="count">{RUN_STATUSES.reduce((n, s) => n + counts[s], 0)}</span>
          </Link>
          {RUN_STATUSES.map((s) => (
            <Link key={s} href={withQuery("/runs", { ...filters, status: s })} aria-current={status === s ? "true" : undefined} data-status={s}>
              {s} <span className="count">{counts[s]}</span>
            </Link>
          ))}
        </nav>
      ) : null}

      {!page ? (
        <div className="empty">
          <h2>This page of runs is no longer there</h2>
          <p>
            <Link href={withQuery("/runs", filters)}>Start again from the newest runs</Link>.
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
          <RunsTable runs={page.runs} titles={Object.fromEntries(titles)} canOperate={mayOperate(caller)} filtered={filtered} />
          <nav aria-label="Pages of runs" className="pager">
            {cursor ? <Link href={withQuery("/runs", filters)}>Newest runs</Link> : <span />}
            {page.next ? (
              <Link href={withQuery("/runs", { ...filters, cursor: page.next })} className="button">
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

/** A datetime-local value (minutes or seconds), else undefined. */
function dateTime(value: string | undefined): string | undefined {
  return value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? value : undefined;
}

/** A datetime-local value read as UTC, as ISO 8601. */
function utc(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}Z`;
}
