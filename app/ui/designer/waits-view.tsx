"use client";
// Where runs wait, around the drawing: the toolbar's switch for the nodes' badges, and a line
// for the runs that wait at nodes the drawing no longer has (no node to carry their badge).

import Link from "next/link";
import type { WaitBadges } from "../../../designer/waits.ts";

export function WaitsToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  return (
    <button type="button" className="button button-small" aria-pressed={on} onClick={() => onChange(!on)} title="Show on each node the open runs waiting there">
      Waiting runs
    </button>
  );
}

export function WaitsElsewhere({ badges }: { badges: WaitBadges | undefined }) {
  const elsewhere = badges?.elsewhere ?? [];
  if (elsewhere.length === 0) return null;
  const total = elsewhere.reduce((n, e) => n + e.runs, 0);
  return (
    <p className="designer-waits-elsewhere">
      {total === 1 ? "1 run waits" : `${total.toLocaleString("en-GB")} runs wait`} at nodes this drawing no longer has:{" "}
      {elsewhere.map((e, i) => (
        <span key={e.nodeId}>
          {i > 0 ? ", " : ""}
          <Link href={e.href}>
            {e.nodeId} ({e.runs.toLocaleString("en-GB")})
          </Link>
        </span>
      ))}
      .
    </p>
  );
}
