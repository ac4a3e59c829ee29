import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowId, json, parse, readBody, route } from "../../../../lib/http.ts";
import * as schemas from "../../../../lib/api/schemas.ts";
import { approval, decide } from "../../../../lib/api/approvals.ts";

/** The approval a decision link names, and whether the caller may decide it: never a decision (mail scanners follow links). */
export const GET = route(async (request: Request, { params }: { params: Promise<{ workflowId: string; nodeId: string }> }) => {
  const caller = await callerOf(request);
  const p = await params;
  return json(await approval(caller, checkWorkflowId(p.workflowId), p.nodeId));
});

export const POST = route(async (request: Request, { params }: { params: Promise<{ workflowId: string; nodeId: string }> }) => {
  const caller = await callerOf(request);
  const p = await params;
  const body = parse(schemas.decision, await readBody(request));
  return json(await decide(caller, checkWorkflowId(p.workflowId), p.nodeId, body.decision, body.comment));
});
