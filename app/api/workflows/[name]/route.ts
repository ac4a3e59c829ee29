import { callerOf } from "../../../lib/auth.ts";
import { ApiError, checkWorkflowName, json, readBody, route } from "../../../lib/http.ts";
import { getDraft, saveDraft } from "../../../lib/api/workflows.ts";

type Context = { params: Promise<{ name: string }> };

export const GET = route(async (request: Request, { params }: Context) => {
  await callerOf(request);
  const draft = await getDraft(checkWorkflowName((await params).name));
  return json({ document: draft.document, errors: draft.errors }, 200, { ETag: draft.etag });
});

export const PUT = route(async (request: Request, { params }: Context) => {
  const caller = await callerOf(request);
  const name = (await params).name;
  if (!/^[a-z][a-z0-9-]{0,99}$/.test(name)) throw new ApiError("BAD_REQUEST", `"${name.slice(0, 60)}" is not a workflow name: a lower-case letter, then lower-case letters, digits and -`);
  const document = await readBody(request);
  if (document === null || typeof document !== "object" || Array.isArray(document)) throw new ApiError("BAD_REQUEST", "the body must be a workflow document: a JSON object with name, nodes and edges");
  const saved = await saveDraft(caller, name, document, request.headers.get("if-match") ?? undefined);
  return json({ document: saved.document, errors: saved.errors }, saved.created ? 201 : 200, { ETag: saved.etag });
});
