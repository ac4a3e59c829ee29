import { callerOf } from "../../../lib/auth.ts";
import { checkWorkflowId, json, route } from "../../../lib/http.ts";
import { describe } from "../../../lib/api/runs.ts";

export const GET = route(async (request: Request, { params }: { params: Promise<{ workflowId: string }> }) => {
  await callerOf(request);
  return json(await describe(checkWorkflowId((await params).workflowId)));
});
