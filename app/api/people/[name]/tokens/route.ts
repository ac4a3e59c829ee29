import { callerOf } from "../../../../lib/auth.ts";
import { json, parse, readBody, route } from "../../../../lib/http.ts";
import * as schemas from "../../../../lib/api/schemas.ts";
import * as people from "../../../../lib/api/people.ts";

type Context = { params: Promise<{ name: string }> };

export const GET = route(async (request: Request, { params }: Context) => json(await people.tokens(await callerOf(request), (await params).name)));

export const POST = route(async (request: Request, { params }: Context) => {
  const caller = await callerOf(request);
  const body = parse(schemas.newToken, await readBody(request));
  return json(await people.createToken(caller, (await params).name, body?.label), 201);
});
