// Restoring a deployed version as the draft. GET: what it would do to the draft (whether it
// replaces changes no version holds), with the draft's etag. POST (designers): saves the
// version's document as the draft, with PUT's rules: with If-Match, 409 when the draft changed
// since; without it, it overwrites.
import { callerOf } from "../../../../../../lib/auth.ts";
import { ApiError, checkWorkflowName, json, route } from "../../../../../../lib/http.ts";
import { planRestore, restoreVersion } from "../../../../../../lib/api/workflows.ts";

type Context = { params: Promise<{ name: string; version: string }> };

async function target(params: Context["params"]): Promise<{ name: string; version: number }> {
  const p = await params;
  if (!/^[1-9][0-9]{0,8}$/.test(p.version)) throw new ApiError("NOT_FOUND", `"${p.version.slice(0, 20)}" is not a version number (1, 2, …)`);
  return { name: checkWorkflowName(p.name), version: Number(p.version) };
}

export const GET = route(async (request: Request, { params }: Context) => {
  await callerOf(request);
  const { name, version } = await target(params);
  return json(await planRestore(name, version));
});

export const POST = route(async (request: Request, { params }: Context) => {
  const caller = await callerOf(request);
  const { name, version } = await target(params);
  const saved = await restoreVersion(caller, name, version, request.headers.get("if-match") ?? undefined);
  return json({ version: saved.version, document: saved.document, errors: saved.errors }, 200, { ETag: saved.etag });
});
