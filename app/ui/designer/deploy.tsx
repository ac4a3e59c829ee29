"use client";
// Deploying the draft (after a confirmation naming the version it makes), starting a run of
// the newest version, and the list of deployed versions.

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import type { WorkflowDocument } from "../../../compiler/document.ts";
import type { Deployed, VersionSummary } from "../../../engine/views.ts";
import type { DraftCheck } from "../../../engine/facade.ts";
import { callApi } from "../../lib/client-api.ts";
import { runPath, withQuery, workflowPath } from "../../lib/paths.ts";
import { LocalTime } from "../local-time.tsx";
import { RestoreVersion, type Restored } from "../restore-version.tsx";

function useDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  return { ref, open: () => ref.current?.showModal(), close: () => ref.current?.close() };
}

export function DeployDialog(props: {
  name: string;
  canEdit: boolean;
  problems: number;
  checking: boolean;
  newest: number;
  beforeDeploy: () => Promise<boolean>;
  onDeployed: (message: string, versions?: VersionSummary[]) => void;
  /** The check's findings, for the drawing to mark the nodes where runs would break. */
  onChecked: (check: DraftCheck | undefined) => void;
  nodeName: (id: string) => string;
}) {
  const { name, canEdit, problems, newest, nodeName } = props;
  const dialog = useDialog();
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [check, setCheck] = useState<DraftCheck | "checking" | undefined>();
  const why = !canEdit ? "Deploying needs the designer role." : problems > 0 ? `Fix the ${problems} ${problems === 1 ? "problem" : "problems"} first.` : undefined;

  const start = async () => {
    setError("");
    if (!(await props.beforeDeploy())) {
      props.onDeployed("The draft could not be saved, so it was not deployed. See the message above the drawing.");
      return;
    }
    setCheck(newest > 0 ? "checking" : undefined);
    dialog.open();
    if (newest === 0) return;
    // Before a deploy: what it would do to the runs still open, replayed on the server.
    const result = await callApi<DraftCheck>("GET", `/api/workflows/${encodeURIComponent(name)}/check`);
    if (result.ok) {
      setCheck(result.data);
      props.onChecked(result.data);
    } else {
      setCheck(undefined);
      setError(`The open runs could not be checked: ${result.message}`);
    }
  };

  const confirm = async (compatibleWith?: number) => {
    setBusy(true);
    const result = await callApi<Deployed>("POST", `/api/workflows/${encodeURIComponent(name)}/deploy`, compatibleWith ? { compatibleWith } : undefined);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    dialog.close();
    props.onChecked(undefined);
    const list = await callApi<VersionSummary[]>("GET", `/api/workflows/${encodeURIComponent(name)}/versions`);
    const d = result.data;
    const moved = compatibleWith && d.created ? ` The open runs of version ${compatibleWith} carry on with it.` : "";
    props.onDeployed(d.created ? `Deployed version ${d.version}: new runs use it.${moved}` : `Nothing changed since version ${d.version}, so no version was added.`, list.ok ? list.data : undefined);
  };

  const report = typeof check === "object" ? check : undefined;
  const runs = (n: number) => `${n} ${n === 1 ? "run" : "runs"}`;
  // The open runs of one version move onto the new one when none of them would break: those of
  // the newest version with open runs (a deploy declares one version compatible).
  const movable = report?.versions.find((v) => v.runs > 0);
  const compatible = movable && movable.breaking.length === 0 ? movable.version : undefined;
  const several = (report?.versions.length ?? 0) > 1;

  return (
    <>
      <button type="button" className="button button-small button-primary" onClick={() => void start()} disabled={!!why || props.checking} title={why}>
        Deploy
      </button>
      <dialog ref={dialog.ref} className="dialog" aria-labelledby={titleId} onClose={() => props.onChecked(undefined)}>
        <h2 id={titleId}>Deploy {name}?</h2>
        {newest === 0 ? (
          <p>This makes version 1; runs can start once it is deployed.</p>
        ) : (
          <p>New runs will use what you drew. If nothing changed since version {newest}, no version is added.</p>
        )}
        {check === "checking" ? (
          <p className="hint" role="status">
            Checking the open runs against this drawing…
          </p>
        ) : report ? (
          <div className="deploy-check" role="status">
            {report.runs === 0 ? (
              <p>No run is open: nothing else changes.</p>
            ) : (
              <>
                <p>
                  {runs(report.runs)} {report.runs === 1 ? "is" : "are"} open
                  {several ? ` on ${report.versions.length} versions` : ` on version ${report.versions[0]?.version}`}. Replayed on this drawing,{" "}
                  {report.breaking.length === 0 ? "every one carries on the same way." : `${runs(report.breaking.length)} would break:`}
                </p>
                <ul className="deploy-versions" aria-label="Open runs by version">
                  {report.versions.map((v) => (
                    <li key={v.version}>
                      <strong>Version {v.version}</strong>: {runs(v.runs)} open
                      {v.breaking.length === 0 ? ", every one carries on." : `; ${v.breaking.length} would break, at ${breakingAt(v.breaking, nodeName)} (marked on the drawing).`}
                    </li>
                  ))}
                </ul>
                {report.removed.map((r) => (
                  <p key={r.nodeId}>
                    {runs(r.runs)} wait at <strong>{r.name}</strong>, which this version deletes
                    {several ? ` (${r.versions.map((v) => `${v.runs} of version ${v.version}`).join(", ")})` : ""}.
                  </p>
                ))}
                <p className="hint">Deployed for new runs only, the open runs finish on the version they are on.</p>
              </>
            )}
          </div>
        ) : null}
        {error ? (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" className="button button-primary" onClick={() => void confirm()} disabled={busy || check === "checking"}>
            {newest === 0 ? "Deploy version 1" : report && report.runs > 0 ? "Deploy for new runs only" : "Deploy now"}
          </button>
          {compatible ? (
            <button type="button" className="button" onClick={() => void confirm(compatible)} disabled={busy}>
              Move the open runs {several ? `of version ${compatible} ` : ""}too, and deploy
            </button>
          ) : null}
          <button type="button" className="button" onClick={dialog.close}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}

/** Where runs would break, by node: “Review (2), Pay (1)”. */
function breakingAt(breaking: readonly { nodeId: string }[], nodeName: (id: string) => string): string {
  const counts = new Map<string, number>();
  for (const b of breaking) counts.set(b.nodeId, (counts.get(b.nodeId) ?? 0) + 1);
  return [...counts].map(([node, n]) => `${nodeName(node)} (${n})`).join(", ");
}

/** An input to start from: the schema's fields with an example value of their type. */
function sampleInput(schema: unknown): string {
  const s = schema as { properties?: Record<string, { type?: string; minimum?: number }> } | undefined;
  if (!s?.properties) return "{}";
  const out: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(s.properties)) out[key] = p.type === "integer" || p.type === "number" ? Math.max(1, p.minimum ?? 1) : p.type === "boolean" ? false : p.type === "array" ? [] : p.type === "object" ? {} : "";
  return JSON.stringify(out, null, 2);
}

export function StartRunDialog({ name, doc, deployed }: { name: string; doc: WorkflowDocument; deployed: boolean }) {
  const dialog = useDialog();
  const router = useRouter();
  const titleId = useId();
  const inputId = useId();
  const idId = useId();
  const [input, setInput] = useState("");
  const [workflowId, setWorkflowId] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const open = () => {
    setInput(sampleInput(doc.inputSchema));
    setError("");
    dialog.open();
  };

  const submit = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input || "{}");
    } catch {
      setError("The input is not JSON yet.");
      return;
    }
    setBusy(true);
    const result = await callApi<{ workflowId: string }>("POST", `/api/workflows/${encodeURIComponent(name)}/runs`, { input: parsed, ...(workflowId.trim() ? { workflowId: workflowId.trim() } : {}) });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    dialog.close();
    router.push(runPath(result.data.workflowId));
  };

  return (
    <>
      <button type="button" className="button button-small" onClick={open} disabled={!deployed} title={deployed ? undefined : "Deploy first: runs start on the newest version."}>
        Start a run
      </button>
      <dialog ref={dialog.ref} className="dialog" aria-labelledby={titleId}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <h2 id={titleId}>Start a run of {name}</h2>
          <p className="hint">The run uses the newest deployed version.</p>
          <div className="field">
            <label htmlFor={inputId}>Input (JSON)</label>
            <textarea id={inputId} className="mono" rows={8} value={input} onChange={(e) => setInput(e.target.value)} spellCheck={false} />
          </div>
          <div className="field">
            <label htmlFor={idId}>Workflow id (optional)</label>
            <input id={idId} className="mono" value={workflowId} onChange={(e) => setWorkflowId(e.target.value)} placeholder={`${name}-…`} />
          </div>
          {error ? (
            <p className="alert alert-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              Start
            </button>
            <button type="button" className="button" onClick={dialog.close}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

export function VersionsPanel({
  name,
  versions,
  restore,
}: {
  name: string;
  versions: readonly VersionSummary[];
  /** For designers: each version may be restored as the draft, which the designer then takes. */
  restore?: { beforeRestore: () => Promise<string | undefined>; onRestored: (restored: Restored) => void };
}) {
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const compare = (from: string, to: string) => withQuery(`${workflowPath(name)}/compare`, { from, to });
  return (
    <section className="dpanel versions" role="region" aria-label="Versions">
      <h2 className="dpanel-title">Versions</h2>
      {sorted.length === 0 ? (
        <p className="hint">Not deployed yet.</p>
      ) : (
        <>
          <p className="small">
            <Link href={compare(String(sorted[0].version), "draft")}>Compare versions</Link>
            <span className="muted"> (the draft with version {sorted[0].version}, or any two)</span>
          </p>
          <ol className="version-list" reversed>
            {sorted.map((v) => (
              <li key={v.version}>
                <Link href={withQuery(`${workflowPath(name)}/code`, { version: String(v.version) })}>Version {v.version}</Link>
                <span className="muted small">
                  {" "}
                  <LocalTime iso={v.deployedAt} />
                  {v.deployedBy ? ` by ${v.deployedBy}` : ""}
                </span>
                {v.version > 1 ? (
                  <>
                    {" "}
                    <Link className="small" href={compare(String(v.version - 1), String(v.version))} aria-label={`What changed in version ${v.version}`}>
                      what changed
                    </Link>
                  </>
                ) : null}
                {restore ? (
                  <>
                    {" "}
                    <RestoreVersion name={name} version={v.version} compact beforeRestore={restore.beforeRestore} onRestored={restore.onRestored} />
                  </>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
