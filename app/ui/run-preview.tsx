"use client";
// A run's drawing, small and read only, with one node marked: the approvals inbox shows it on
// asking, the decision page at once, so that an approver sees where in the process the
// decision falls. It reads the run's version's document from the API when it first shows.

import { useEffect, useState } from "react";
import type { WorkflowDocument } from "../../compiler/document.ts";
import type { Description, VersionDetail } from "../../engine/views.ts";
import { callApi } from "../lib/client-api.ts";
import { RunCanvas } from "./run-canvas.tsx";
import type { RunMark } from "./run-node.tsx";

export function RunPreview({ workflowId, nodeId, note }: { workflowId: string; nodeId: string; note: string }) {
  const [doc, setDoc] = useState<WorkflowDocument>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    void (async () => {
      const run = await callApi<Description>("GET", `/api/runs/${encodeURIComponent(workflowId)}`);
      if (!run.ok) return live && setError(run.message);
      const version = await callApi<VersionDetail>("GET", `/api/workflows/${encodeURIComponent(run.data.name)}/versions/${run.data.version}`);
      if (!version.ok) return live && setError(version.message);
      if (live) setDoc(version.data.document as WorkflowDocument);
    })();
    return () => {
      live = false;
    };
  }, [workflowId]);
  const [marks] = useState<Record<string, RunMark>>(() => ({ [nodeId]: { state: "waiting", visits: 1, note } }));
  if (error) return <p className="muted small">The drawing could not be shown: {error}</p>;
  if (!doc) return <p className="muted small">Loading the drawing…</p>;
  return <RunCanvas doc={doc} marks={marks} label={`Drawing of run ${workflowId}`} className="run-canvas-small" />;
}
