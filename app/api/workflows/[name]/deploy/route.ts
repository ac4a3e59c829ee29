import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowName, json, route } from "../../../../lib/http.ts";
import { deploy } from "../../../../lib/api/workflows.ts";

export const POST = route(async (request: Request, { params }: { params: Promise<{ name: string }> }) => {
  const caller = await callerOf(request);
  const deployed = await deploy(caller, checkWorkflowName((await params).name));
  return json(deployed, deployed.created ? 201 : 200);
});
