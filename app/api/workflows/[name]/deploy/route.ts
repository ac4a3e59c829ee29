import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowName, json, parse, readBody, route } from "../../../../lib/http.ts";
import { deploy } from "../../../../lib/api/workflows.ts";
import * as schemas from "../../../../lib/api/schemas.ts";

// No body: deploys the draft for new runs. `{ "compatibleWith": N }`: also moves the open runs
// of version N onto it, refused (409, naming each run) when one would not replay on it.
export const POST = route(async (request: Request, { params }: { params: Promise<{ name: string }> }) => {
  const caller = await callerOf(request);
  const name = checkWorkflowName((await params).name);
  const body = parse(schemas.deploy, await readBody(request));
  const deployed = await deploy(caller, name, body ?? {});
  return json(deployed, deployed.created ? 201 : 200);
});
