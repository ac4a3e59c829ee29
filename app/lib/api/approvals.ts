// The approvals inbox. Who may decide is the drawing's word: a person named in the approval's
// assignees or holding a role named there (none named: operators and admins); the engine
// applies that rule to the list and, atomically with the write, to a decision.

import type { Caller } from "../auth.ts";
import { weft } from "../weft.ts";

export const pending = (caller: Caller) => weft().approvals(caller);

export const decide = (caller: Caller, workflowId: string, nodeId: string, decision: "approve" | "decline", comment: string | undefined) =>
  weft().decide(caller, workflowId, nodeId, decision, comment);

/** One pending approval (a decision link), with whether the caller may decide it; a read that decides nothing. */
export const approval = (caller: Caller, workflowId: string, nodeId: string) => weft().approval(caller, workflowId, nodeId);
