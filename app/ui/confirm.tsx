"use client";
// A confirmation in place: what will happen, in words, a button that says it again, and a way
// back. Used before anything that cannot be undone (cancel, terminate, retry, a signal).
import { useEffect, useRef, type ReactNode } from "react";

export function Confirm({
  question,
  children,
  confirm,
  keep = "Keep it",
  danger = true,
  busy = false,
  error,
  onConfirm,
  onKeep,
}: {
  question: string;
  children?: ReactNode;
  confirm: string;
  keep?: string;
  danger?: boolean;
  busy?: boolean;
  error?: string;
  onConfirm: () => void;
  onKeep: () => void;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="panel-inset confirm" role="group" aria-label={question}>
      <p>
        <strong>{question}</strong> {children}
      </p>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button ref={ref} type="button" className={`button ${danger ? "button-danger" : "button-primary"}`} onClick={onConfirm} disabled={busy}>
          {confirm}
        </button>
        <button type="button" className="button button-quiet" onClick={onKeep} disabled={busy}>
          {keep}
        </button>
        {busy ? (
          <span className="muted small" aria-live="polite">
            Sending…
          </span>
        ) : null}
      </div>
    </div>
  );
}
