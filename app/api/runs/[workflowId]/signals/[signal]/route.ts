import { callerOf } from "../../../../../lib/auth.ts";
import { checkWorkflowId, json, parse, readBody, route } from "../../../../../lib/http.ts";
import * as schemas from "../../../../../lib/api/schemas.ts";
import { signal } from "../../../../../lib/api/runs.ts";

export const POST = route(async (request: Request, { params }: { params: Promise<{ workflowId: string; signal: string }> }) => {
  const caller = await callerOf(request);
  const p = await params;
  const body = parse(schemas.signal, (await readBody(request)) ?? {});
  return json(await signal(caller, checkWorkflowId(p.workflowId), p.signal, body.payload));
});
