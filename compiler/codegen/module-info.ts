// Facts about a checked document that both targets need to print a module.

import { outputOf } from "../document.ts";
import type { CheckedDocument } from "../validate.ts";
import { DATE_HELPER_NAMES } from "../date-helpers.ts";

export interface ModuleInfo {
  name: string;
  title: string | undefined;
  hash: string;
  functionName: string;
  /** Whether some loop may continue the run as new (so variables start from carried values). */
  resumable: boolean;
  /** Names the module itself uses, which generated temporaries must avoid. */
  reserved: string[];
}

/** Output variables of the document, sorted. */
export function variableNames(checked: CheckedDocument): string[] {
  const names = new Set<string>();
  for (const n of checked.graph.nodes.values()) {
    const o = outputOf(n);
    if (o !== undefined) names.add(o);
  }
  return [...names].sort();
}

/** The date helpers some expression calls, sorted. */
export function usedHelpers(checked: CheckedDocument): string[] {
  const codes = [...checked.expressions.values()];
  return DATE_HELPER_NAMES.filter((h) => codes.some((c) => new RegExp(`\\b${h}\\s*\\(`).test(c)));
}

/** Does some expression read `workflow` (id, runId, startedAt, now)? */
export function readsWorkflow(checked: CheckedDocument): boolean {
  return [...checked.expressions.values()].some((c) => /(^|[^.\w$])workflow\b/.test(c));
}
