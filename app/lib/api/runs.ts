// Runs: everyone signed in reads them; operators start, signal, cancel, terminate and retry,
// and the history records who did.

import { requireRole, type Caller } from "../auth.ts";
import { ApiError } from "../http.ts";
import { weft } from "../weft.ts";

export async function start(caller: Caller, name: string, body: { input?: unknown; workflowId?: string }) {
  requireRole(caller, "operator");
  return weft().start(name, { input: body.input, workflowId: body.workflowId }, caller.name);
}

export type ListQuery = { status?: string; name?: string; node?: string; q?: string; cursor?: string; limit?: number; version?: number; from?: string; to?: string };

export const list = (query: ListQuery) => weft().runs(query);

/** A page of runs and, when asked for, the live counts per status of the runs the filters (status aside) show. */
export async function listWithCounts(query: ListQuery & { counts?: "true" | "false" }) {
  const { counts, ...filters } = query;
  if (counts !== "true") return list(filters);
  const { status: _status, cursor: _cursor, limit: _limit, ...counted } = filters;
  const [page, byStatus] = await Promise.all([list(filters), weft().runCounts(counted)]);
  return { ...page, counts: byStatus };
}

/** Cancels or terminates a selection of runs (operators), each recorded with who did it. */
export async function closeMany(caller: Caller, body: { action: "cancel" | "terminate"; workflowIds: string[]; reason?: string }) {
  requireRole(caller, "operator");
  return weft().closeMany(body.workflowIds, body.action, caller.name, body.reason);
}
export const describe = (workflowId: string) => weft().describe(workflowId);
export const history = (workflowId: string) => weft().history(workflowId);
/** A run's describe document and its history, the history read once. */
export const runWithHistory = (workflowId: string) => weft().runWithHistory(workflowId);

export async function signal(caller: Caller, workflowId: string, name: string, payload: unknown) {
  requireRole(caller, "operator");
  // The approvals' own signals carry a decision, which only the approval's assignees may take:
  // they go through the inbox's route, where that is checked, never around it.
  if (name === "approve" || name === "decline") {
    throw new ApiError("FORBIDDEN", `a decision is not sent as a signal here: POST /api/approvals/${workflowId}/{nodeId} with {"decision": "${name}"}, as one of the approval's assignees`);
  }
  return weft().signal(workflowId, name, payload, caller.name);
}

export async function close(caller: Caller, workflowId: string, how: "cancel" | "terminate", reason: string | undefined) {
  requireRole(caller, "operator");
  await weft()[how](workflowId, caller.name, reason);
  return weft().describe(workflowId);
}

export async function retry(caller: Caller, workflowId: string) {
  requireRole(caller, "operator");
  return weft().retry(workflowId, caller.name);
}
