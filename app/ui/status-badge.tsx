// A run's status as a badge: the word itself (exactly "running", "completed", …), with a
// colour and a shape beside it that repeat, never replace, what the word says. On a run's page
// it is a live region named by its label, so a change is announced where it is shown.
import type { RunStatus } from "../../engine/views.ts";

export function StatusBadge({ status, labelledBy }: { status: RunStatus | string; labelledBy?: string }) {
  return (
    <span className="badge" data-status={status}>
      <span className="badge-mark" aria-hidden="true" />
      <span className="badge-text" role={labelledBy ? "status" : undefined} aria-labelledby={labelledBy}>
        {status}
      </span>
    </span>
  );
}
