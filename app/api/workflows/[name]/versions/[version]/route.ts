import { callerOf } from "../../../../../lib/auth.ts";
import { ApiError, checkWorkflowName, json, route } from "../../../../../lib/http.ts";
import { version } from "../../../../../lib/api/workflows.ts";

export const GET = route(async (request: Request, { params }: { params: Promise<{ name: string; version: string }> }) => {
  await callerOf(request);
  const p = await params;
  if (!/^[1-9][0-9]{0,8}$/.test(p.version)) throw new ApiError("NOT_FOUND", `"${p.version.slice(0, 20)}" is not a version number (1, 2, …)`);
  return json(await version(checkWorkflowName(p.name), Number(p.version)));
});
