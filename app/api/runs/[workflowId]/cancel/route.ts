import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowId, json, parse, readBody, route } from "../../../../lib/http.ts";
import * as schemas from "../../../../lib/api/schemas.ts";
import { close } from "../../../../lib/api/runs.ts";

export const POST = route(async (request: Request, { params }: { params: Promise<{ workflowId: string }> }) => {
  const caller = await callerOf(request);
  const body = parse(schemas.reason, await readBody(request));
  return json(await close(caller, checkWorkflowId((await params).workflowId), "cancel", body?.reason));
});
