import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowId, json, route } from "../../../../lib/http.ts";
import { retry } from "../../../../lib/api/runs.ts";

export const POST = route(async (request: Request, { params }: { params: Promise<{ workflowId: string }> }) => {
  const caller = await callerOf(request);
  return json(await retry(caller, checkWorkflowId((await params).workflowId)), 201);
});
