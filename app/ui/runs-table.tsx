"use client";
// The runs list's table. Operators select running runs and cancel or terminate them together,
// after a confirmation that says how many; the history of each records who did it. The page
// around it refreshes itself, and the selection keeps to the runs still listed and running.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import type { RunSummary } from "../../engine/views.ts";
import { callApi } from "../lib/client-api.ts";
import { runPath, workflowPath } from "../lib/paths.ts";
import { Confirm } from "./confirm.tsx";
import { LocalTime } from "./local-time.tsx";
import { StatusBadge } from "./status-badge.tsx";

type Bulk = { done: string[]; failed: { workflowId: string; code: string; message: string }[] };
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function RunsTable({ runs, titles, canOperate, filtered }: { runs: RunSummary[]; titles: Record<string, string>; canOperate: boolean; filtered: boolean }) {
  const router = useRouter();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [asking, setAsking] = useState<"cancel" | "terminate">();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState("");
  const open = useMemo(() => runs.filter((r) => r.status === "running").map((r) => r.workflowId), [runs]);
  // Only what is listed and still running counts: a run that ended since drops out by itself.
  const selected = open.filter((id) => picked.has(id));
  const all = open.length > 0 && selected.length === open.length;

  const toggle = (id: string) =>
    setPicked((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  async function close(action: "cancel" | "terminate") {
    setBusy(true);
    setError(undefined);
    const result = await callApi<Bulk>("POST", "/api/runs", { action, workflowIds: selected });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    const verb = action === "cancel" ? "Cancelled" : "Terminated";
    const failed = result.data.failed.length ? ` ${plural(result.data.failed.length, "run")} could not be: ${result.data.failed.map((f) => `${f.workflowId} (${f.message})`).join("; ")}.` : "";
    setStatus(`${verb} ${plural(result.data.done.length, "run")}.${failed}`);
    setAsking(undefined);
    setPicked(new Set());
    router.refresh();
  }

  return (
    <>
      <p role="status" className={status ? "alert alert-success" : "visually-hidden"}>
        {status}
      </p>
      {canOperate && open.length > 0 ? (
        <div className="bulk-bar" role="group" aria-label="Selected runs">
          <span className="muted">{selected.length ? `${plural(selected.length, "running run")} selected` : "Select running runs to cancel or terminate them together."}</span>
          <button type="button" className="button button-small" disabled={selected.length === 0 || busy} onClick={() => setAsking("cancel")}>
            Cancel selected
          </button>
          <button type="button" className="button button-small" disabled={selected.length === 0 || busy} onClick={() => setAsking("terminate")}>
            Terminate selected
          </button>
        </div>
      ) : null}
      {asking && selected.length > 0 ? (
        <Confirm
          question={`${asking === "cancel" ? "Cancel" : "Terminate"} ${plural(selected.length, "run")}?`}
          confirm={`${asking === "cancel" ? "Cancel" : "Terminate"} ${plural(selected.length, "run")}`}
          keep="Keep them running"
          busy={busy}
          error={error}
          onConfirm={() => void close(asking)}
          onKeep={() => {
            setAsking(undefined);
            setError(undefined);
          }}
        >
          {asking === "cancel"
            ? "Each ends at once as cancelled; a step under way sees its cancellation at its next heartbeat and its outcome is not recorded."
            : "Each ends at once as terminated, with nothing more run."}{" "}
          Your name is recorded on each. This cannot be undone.
        </Confirm>
      ) : null}
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Runs{filtered ? ", filtered" : ""}</caption>
          <thead>
            <tr>
              {canOperate ? (
                <th scope="col" className="select-col">
                  <input
                    type="checkbox"
                    aria-label="Select every running run listed"
                    checked={all}
                    disabled={open.length === 0}
                    onChange={() => setPicked(all ? new Set() : new Set(open))}
                  />
                </th>
              ) : null}
              <th scope="col">Workflow id</th>
              <th scope="col">Workflow</th>
              <th scope="col">Status</th>
              <th scope="col">Waiting at</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.runId} aria-selected={canOperate && run.status === "running" ? picked.has(run.workflowId) : undefined}>
                {canOperate ? (
                  <td className="select-col">
                    {run.status === "running" ? (
                      <input type="checkbox" aria-label={`Select ${run.workflowId}`} checked={picked.has(run.workflowId)} onChange={() => toggle(run.workflowId)} />
                    ) : null}
                  </td>
                ) : null}
                <th scope="row">
                  <Link href={runPath(run.workflowId)} className="row-link mono">
                    {run.workflowId}
                  </Link>
                </th>
                <td>
                  <Link href={workflowPath(run.name)} className="quiet-link">
                    {titles[run.name] ?? run.name}
                  </Link>
                  <span className="sub">version {run.version}</span>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td className="mono small">{run.waitingAt ?? <span className="muted">—</span>}</td>
                <td className="nowrap">
                  <LocalTime iso={run.startedAt} />
                </td>
                <td className="nowrap">{run.closedAt ? <LocalTime iso={run.closedAt} /> : <span className="muted">still running</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
