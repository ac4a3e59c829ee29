import { callerOf } from "../../../../lib/auth.ts";
import { checkWorkflowName, json, parse, readBody, route } from "../../../../lib/http.ts";
import * as schemas from "../../../../lib/api/schemas.ts";
import { start } from "../../../../lib/api/runs.ts";

export const POST = route(async (request: Request, { params }: { params: Promise<{ name: string }> }) => {
  const caller = await callerOf(request);
  const name = checkWorkflowName((await params).name);
  const body = parse(schemas.startRun, (await readBody(request)) ?? {});
  return json(await start(caller, name, body), 201);
});
