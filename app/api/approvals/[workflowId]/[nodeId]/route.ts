import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowId, json, parse, readBody, route } from "../../../../lib/http.ts";
import * as schemas from "../../../../lib/api/schemas.ts";
import { decide } from "../../../../lib/api/approvals.ts";

export const POST = route(async (request: Request, { params }: { params: Promise<{ workflowId: string; nodeId: string }> }) => {
  const caller = await callerOf(request);
  const p = await params;
  const body = parse(schemas.decision, await readBody(request));
  return json(await decide(caller, checkWorkflowId(p.workflowId), p.nodeId, body.decision, body.comment));
});
