"use client";
// New workflows, from blank or from an example, and imported documents: each is checked by the
// compiler (in a worker) before anything is stored, and every error is listed.

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import type { WorkflowDocument } from "../../../compiler/document.ts";
import { blankDocument } from "../../../designer/edits.ts";
import { callApi } from "../../lib/client-api.ts";
import { workflowPath } from "../../lib/paths.ts";
import { compileOnce } from "./compile-once.ts";
import "./designer.css";

const NAME = /^[a-z][a-z0-9-]{0,99}$/;

export interface Example {
  file: string;
  title: string;
  document: WorkflowDocument;
}

async function exists(name: string): Promise<boolean> {
  const r = await callApi<{ name: string }[]>("GET", "/api/workflows");
  return r.ok && r.data.some((w) => w.name === name);
}

async function store(name: string, document: unknown): Promise<string | undefined> {
  const r = await callApi("PUT", `/api/workflows/${encodeURIComponent(name)}`, document);
  return r.ok ? undefined : r.message;
}

export function WorkflowActions({ examples }: { examples: readonly Example[] }) {
  return (
    <div className="workflow-actions">
      <NewWorkflow examples={examples} />
      <ImportDocument />
    </div>
  );
}

function NewWorkflow({ examples }: { examples: readonly Example[] }) {
  const router = useRouter();
  const ids = { name: useId(), title: useId(), from: useId() };
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");
  const [from, setFrom] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const create = async () => {
    setError("");
    if (!NAME.test(name)) return setError("A name is a lower-case letter, then lower-case letters, digits and -: for example order-item.");
    setBusy(true);
    try {
      if (await exists(name)) return setError(`There is a workflow named ${name} already: pick another name, or open it from the list.`);
      const example = examples.find((e) => e.file === from);
      const document = example ? { ...example.document, name, ...(title.trim() ? { title: title.trim() } : {}) } : blankDocument(name, title.trim() || undefined);
      const failed = await store(name, document);
      if (failed) return setError(failed);
      router.push(workflowPath(name));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="panel disclosure">
      <summary>New workflow</summary>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} className="mono" value={name} onChange={(e) => setName(e.target.value)} placeholder="order-item" required />
        </div>
        <div className="field">
          <label htmlFor={ids.title}>Title</label>
          <input id={ids.title} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Order item" />
        </div>
        <div className="field">
          <label htmlFor={ids.from}>Start from</label>
          <select id={ids.from} value={from} onChange={(e) => setFrom(e.target.value)}>
            <option value="">A blank drawing</option>
            {examples.map((e) => (
              <option key={e.file} value={e.file}>
                Example: {e.title}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          Create
        </button>
      </form>
      {error ? (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
    </details>
  );
}

function ImportDocument() {
  const router = useRouter();
  const fileId = useId();
  const [errors, setErrors] = useState<string[]>([]);
  const [pending, setPending] = useState<{ name: string; document: unknown } | undefined>();
  const [busy, setBusy] = useState(false);

  const open = async (file: File) => {
    setErrors([]);
    setPending(undefined);
    let document: unknown;
    try {
      document = JSON.parse(await file.text());
    } catch (err) {
      return setErrors([`${file.name} is not JSON: ${(err as Error).message}`]);
    }
    setBusy(true);
    try {
      const checked = await compileOnce(document, "weft");
      if (!checked.ok) return setErrors(checked.diagnostics.map((d) => `${d.id}${d.field ? ` ${d.field}` : ""}: ${d.message}`));
      const name = (document as { name: string }).name;
      if (await exists(name)) return setPending({ name, document });
      const failed = await store(name, document);
      if (failed) return setErrors([failed]);
      router.push(workflowPath(name));
    } finally {
      setBusy(false);
    }
  };

  const replace = async () => {
    if (!pending) return;
    const failed = await store(pending.name, pending.document);
    if (failed) return setErrors([failed]);
    router.push(workflowPath(pending.name));
  };

  return (
    <details className="panel disclosure">
      <summary>Import a document</summary>
      <div className="field">
        <label htmlFor={fileId}>Workflow document (JSON)</label>
        <input
          id={fileId}
          type="file"
          accept="application/json,.json"
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void open(file);
            e.target.value = "";
          }}
        />
        <p className="hint">It is checked first; a document with errors is not stored.</p>
      </div>
      {errors.length ? (
        <div className="alert alert-error" role="alert">
          <p>
            The document has {errors.length} {errors.length === 1 ? "error" : "errors"}; nothing was stored:
          </p>
          <ul>
            {errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {pending ? (
        <div className="alert alert-warning" role="alert">
          <p>There is a workflow named {pending.name} already. Importing replaces its draft; its deployed versions stay.</p>
          <div className="actions">
            <button type="button" className="button button-small" onClick={() => void replace()}>
              Replace the draft of {pending.name}
            </button>
            <button type="button" className="button button-small" onClick={() => setPending(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </details>
  );
}
