// Workflows, drafts, versions: everyone signed in reads; designers edit, deploy and export.

import { requireRole, type Caller } from "../auth.ts";
import { weft } from "../weft.ts";

export const listWorkflows = () => weft().workflows();

export const getDraft = (name: string) => weft().draft(name);

export async function saveDraft(caller: Caller, name: string, document: unknown, ifMatch: string | undefined) {
  requireRole(caller, "designer");
  return weft().saveDraft(name, document, { by: caller.name, ifMatch });
}

export async function deploy(caller: Caller, name: string) {
  requireRole(caller, "designer");
  return weft().deployDraft(name, caller.name);
}

export const versions = (name: string) => weft().versions(name);
export const version = (name: string, v: number) => weft().version(name, v);
export const waiting = (name: string) => weft().waiting(name);
export const activities = () => weft().activities();
