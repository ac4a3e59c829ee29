import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowId, json, route } from "../../../../lib/http.ts";
import { history } from "../../../../lib/api/runs.ts";

export const GET = route(async (request: Request, { params }: { params: Promise<{ workflowId: string }> }) => {
  await callerOf(request);
  return json(await history(checkWorkflowId((await params).workflowId)));
});
