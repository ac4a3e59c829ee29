import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowName, json, route } from "../../../../lib/http.ts";
import { versions } from "../../../../lib/api/workflows.ts";

export const GET = route(async (request: Request, { params }: { params: Promise<{ name: string }> }) => {
  await callerOf(request);
  return json(await versions(checkWorkflowName((await params).name)));
});
