// Workflows, drafts, versions: everyone signed in reads; designers edit, deploy and export.

import { requireRole, type Caller } from "../auth.ts";
import { restorePlan, sameDocument, type RestorePlan } from "../restore.ts";
import { weft } from "../weft.ts";

export const listWorkflows = () => weft().workflows();

export const getDraft = (name: string) => weft().draft(name);

/** The draft's document and etag, without the diagnostics `getDraft` compiles it for. */
export const getDraftDocument = (name: string) => weft().draftDocument(name);

export async function saveDraft(caller: Caller, name: string, document: unknown, ifMatch: string | undefined) {
  requireRole(caller, "designer");
  return weft().saveDraft(name, document, { by: caller.name, ifMatch });
}

/** Deploys the draft; `compatibleWith` N also moves the open runs of version N onto it (refused when one would break). */
export async function deploy(caller: Caller, name: string, options: { compatibleWith?: number } = {}) {
  requireRole(caller, "designer");
  return weft().deployDraft(name, caller.name, options);
}

/** What a deploy of the draft would do to the open runs: designers ask before they deploy. */
export async function checkDraft(caller: Caller, name: string) {
  requireRole(caller, "designer");
  return weft().checkDraft(name);
}

export const versions = (name: string) => weft().versions(name);
export const version = (name: string, v: number) => weft().version(name, v);
export const waiting = (name: string) => weft().waiting(name);
export const activities = () => weft().activities();

/** How many versions, newest first, the draft is compared with to know whether one holds it. */
const VERSIONS_COMPARED = 50;

/**
 * What restoring version `version` as the draft would do to the draft: whether a version holds
 * the draft (nothing is lost) or it has changes of its own, which restoring replaces; with the
 * draft's etag to restore over. NOT_FOUND without that version.
 */
export async function planRestore(name: string, version: number): Promise<RestorePlan> {
  const facade = weft();
  const [current, restoring, list] = await Promise.all([facade.draftDocument(name), facade.version(name, version), facade.versions(name)]);
  const numbers = list.map((v) => v.version).sort((a, b) => b - a);
  // Newest first, the likeliest (a draft not edited since the last deploy), one at a time.
  let keptIn: number | undefined;
  for (const n of numbers.slice(0, VERSIONS_COMPARED)) {
    if (n === version) continue;
    if (sameDocument(current.document, (await facade.version(name, n)).document)) {
      keptIn = n;
      break;
    }
  }
  return restorePlan(current, restoring, numbers[0] ?? version, keptIn);
}

/**
 * Saves version `version`'s document as the draft, as a PUT of it would (designers): with
 * `ifMatch`, refused (CONFLICT) when the draft changed since that etag; without, it overwrites.
 */
export async function restoreVersion(caller: Caller, name: string, version: number, ifMatch: string | undefined) {
  requireRole(caller, "designer");
  const facade = weft();
  const restoring = await facade.version(name, version);
  const saved = await facade.saveDraft(name, restoring.document, { by: caller.name, ifMatch });
  return { ...saved, version };
}
