// Where a workflow's open runs wait, as badges on its drawing: per node, how many runs wait
// there, how long the oldest has, how many wait to retry a failed step, and, at a step whose
// activity no live worker has loaded, that nothing will move them until one starts. Each badge
// links to the runs list filtered to that workflow and node. Nodes where no run waits get none.

import type { WorkflowDocument } from "../compiler/document.ts";
import { nodeName } from "./catalogue.ts";

/** Where-runs-wait per node, as the engine answers it (GET /api/workflows/{name}/waiting). */
export interface NodeWaits {
  nodeId: string;
  runs: number;
  /** ISO 8601: since when the oldest of them waits there. */
  oldestSince: string;
  retrying: number;
  kind?: string;
  activities?: string[];
  /** The activities among `activities` that no live worker has loaded. */
  noWorker?: string[];
}

export interface WaitBadge {
  /** On the node: "12 waiting · oldest 3 h · 2 retrying". */
  text: string;
  /** The link's accessible name, in words. */
  label: string;
  /** The runs list filtered to the workflow and this node. */
  href: string;
  /** Set when no live worker has the step's activity: "No worker runs bank.transfer: start one". */
  stuck?: string;
}

export interface WaitBadges {
  /** By node id, for the nodes of the drawing where runs wait. */
  nodes: Map<string, WaitBadge>;
  /** Runs waiting at nodes the drawing no longer has (the draft removed them). */
  elsewhere: { nodeId: string; runs: number; href: string }[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

/** How long since `since`, short ("3 h") and in words ("3 hours"), rounded down. */
export function age(since: string, now: number): { short: string; words: string } {
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (!Number.isFinite(s)) return { short: "?", words: "an unknown time" };
  const units: [number, string, string][] = [
    [86_400, "d", "day"],
    [3600, "h", "hour"],
    [60, "min", "minute"],
  ];
  for (const [size, short, word] of units) {
    if (s >= size) {
      const n = Math.floor(s / size);
      return { short: `${n} ${short}`, words: plural(n, word) };
    }
  }
  return { short: `${s} s`, words: plural(s, "second") };
}

/**
 * What the badges of `waiting` say at `now`, whatever the drawing: per node, its runs, retrying
 * ones, the activities no worker runs, and the oldest wait's age as it is shown (to the second
 * under a minute, then to the minute, the hour, the day).
 */
function shown(waiting: readonly NodeWaits[], now: number): string {
  return JSON.stringify(waiting.filter((w) => w.runs > 0).map((w) => [w.nodeId, w.runs, w.retrying, w.noWorker ?? [], age(w.oldestSince, now).short]));
}

/**
 * Whether two answers of where-runs-wait, each with when it came, draw the same badges: the
 * same counts, and the oldest waits' ages the same as shown. The drawing keeps the earlier
 * answer when they do (its poll every few seconds then redraws nothing).
 */
export function sameWaits(a: { waiting: readonly NodeWaits[]; at: number }, b: { waiting: readonly NodeWaits[]; at: number }): boolean {
  return a.waiting === b.waiting || shown(a.waiting, a.at) === shown(b.waiting, b.at);
}

/** The runs list filtered to the open runs of workflow `name` waiting at `nodeId`. */
export function waitingRunsHref(name: string, nodeId: string): string {
  return `/runs?${new URLSearchParams({ name, node: nodeId }).toString()}`;
}

/** The badges of a drawing: its nodes where runs wait, with what `waiting` says of them at `now`. */
export function waitBadges(doc: Pick<WorkflowDocument, "name" | "nodes">, waiting: readonly NodeWaits[], now: number): WaitBadges {
  const byId = new Map(doc.nodes.filter((n) => n && typeof n.id === "string").map((n) => [n.id, n]));
  const nodes = new Map<string, WaitBadge>();
  const elsewhere: WaitBadges["elsewhere"] = [];
  for (const w of waiting) {
    if (!(w.runs > 0)) continue;
    const href = waitingRunsHref(doc.name, w.nodeId);
    const node = byId.get(w.nodeId);
    if (!node) {
      elsewhere.push({ nodeId: w.nodeId, runs: w.runs, href });
      continue;
    }
    const oldest = age(w.oldestSince, now);
    const text = [`${w.runs.toLocaleString("en-GB")} waiting`, `oldest ${oldest.short}`, ...(w.retrying > 0 ? [`${w.retrying.toLocaleString("en-GB")} retrying`] : [])].join(" · ");
    const missing = w.noWorker ?? [];
    const stuck = missing.length ? `No worker runs ${missing.join(" or ")}: start one` : undefined;
    const label = [
      `${plural(w.runs, "run")} waiting at ${nodeName(node)}`,
      `the oldest for ${oldest.words}`,
      ...(w.retrying > 0 ? [`${w.retrying.toLocaleString("en-GB")} retrying`] : []),
      ...(missing.length ? [`no worker runs ${missing.join(" or ")}`] : []),
    ].join(", ");
    nodes.set(w.nodeId, { text, label: `${label}: show them`, href, ...(stuck ? { stuck } : {}) });
  }
  return { nodes, elsewhere };
}
