"use client";
// "Restore version N as the draft": asks the server what that would do to the draft
// (app/lib/restore.ts), asks the person first when the draft has changes that no version holds
// (they would be replaced), then saves the version's document as the draft over the etag it
// was shown (a draft changed meanwhile is a conflict, not a silent loss) and opens the designer
// with it, ready to deploy. Inside the designer, the designer takes the restored draft in place.

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { callApi } from "../lib/client-api.ts";
import { withQuery, workflowPath } from "../lib/paths.ts";
import { restoreQuestion, type RestorePlan } from "../lib/restore.ts";
import { Confirm } from "./confirm.tsx";

export interface Restored {
  version: number;
  /** The draft now and its etag; absent when the draft was that version's drawing already. */
  document?: WorkflowDocument;
  etag?: string;
}

export function RestoreVersion({
  name,
  version,
  compact = false,
  beforeRestore,
  onRestored,
}: {
  name: string;
  version: number;
  /** A small link-like button ("restore"), named in full for assistive technology. */
  compact?: boolean;
  /** Runs first (the designer saves what is not saved yet); a sentence back stops the restore and is shown. */
  beforeRestore?: () => Promise<string | undefined>;
  /** Given: the caller takes the restored draft (the designer). Not given: the designer is opened on it. */
  onRestored?: (restored: Restored) => void;
}) {
  const router = useRouter();
  const [plan, setPlan] = useState<RestorePlan>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const base = `/api/workflows/${encodeURIComponent(name)}/versions/${version}/restore`;
  const label = `Restore version ${version} as the draft`;

  const done = (restored: Restored) => {
    setPlan(undefined);
    if (onRestored) onRestored(restored);
    else router.push(withQuery(workflowPath(name), { restored: String(version) }));
  };

  const restore = async (over: RestorePlan) => {
    const result = await callApi<{ version: number; document: WorkflowDocument }>("POST", base, undefined, { "If-Match": over.etag });
    if (result.ok) return done({ version, document: result.data.document, etag: result.etag });
    setPlan(undefined);
    setError(
      result.status === 409
        ? `The draft was changed (in the designer, or by someone else) since Weft looked at it, so version ${version} was not restored. Restore it again to see what it would replace now.`
        : `Version ${version} was not restored: ${result.message}`,
    );
  };

  const start = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const stopped = await beforeRestore?.();
      if (stopped) return setError(stopped);
      const asked = await callApi<RestorePlan>("GET", base);
      if (!asked.ok) return setError(`Version ${version} was not restored: ${asked.message}`);
      if (asked.data.draft === "same") return done({ version });
      // Nothing is lost when a version holds the draft: restored at once.
      if (asked.data.draft === "kept") return await restore(asked.data);
      setPlan(asked.data);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (!plan) return;
    setBusy(true);
    try {
      await restore(plan);
    } finally {
      setBusy(false);
    }
  };

  const words = plan ? restoreQuestion(plan) : undefined;
  return (
    <>
      <button
        type="button"
        className={compact ? "linkish small" : "button button-small"}
        onClick={() => void start()}
        disabled={busy}
        aria-label={compact ? label : undefined}
        aria-expanded={plan ? true : undefined}
      >
        {compact ? "restore" : label}
      </button>
      {words ? (
        <Confirm question={words.question} confirm={`Replace the draft with version ${version}`} keep="Keep the draft" busy={busy} onConfirm={() => void confirm()} onKeep={() => setPlan(undefined)}>
          {words.detail}
        </Confirm>
      ) : null}
      {error ? (
        <p role="alert" className="alert alert-error restore-error">
          {error}
        </p>
      ) : null}
    </>
  );
}
