import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowName, json, route } from "../../../../lib/http.ts";
import { checkDraft } from "../../../../lib/api/workflows.ts";

// What deploying the draft would do to the open runs: replayed on its code, writing nothing.
export const GET = route(async (request: Request, { params }: { params: Promise<{ name: string }> }) => {
  const caller = await callerOf(request);
  return json(await checkDraft(caller, checkWorkflowName((await params).name)));
});
