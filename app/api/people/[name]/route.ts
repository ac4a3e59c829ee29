import { callerOf } from "../../../lib/auth.ts";
import { json, parse, readBody, route } from "../../../lib/http.ts";
import * as schemas from "../../../lib/api/schemas.ts";
import * as people from "../../../lib/api/people.ts";

type Context = { params: Promise<{ name: string }> };

export const PATCH = route(async (request: Request, { params }: Context) => {
  const caller = await callerOf(request);
  return json(await people.change(caller, (await params).name, parse(schemas.changePerson, await readBody(request))));
});

export const DELETE = route(async (request: Request, { params }: Context) => {
  await people.remove(await callerOf(request), (await params).name);
  return new Response(null, { status: 204 });
});
