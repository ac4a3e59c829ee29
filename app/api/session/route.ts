import { callerOf, checkSameOrigin } from "../../lib/auth.ts";
import { json, parse, readBody, route } from "../../lib/http.ts";
import * as schemas from "../../lib/api/schemas.ts";
import { callerView, signIn, signOut } from "../../lib/api/session.ts";

export const POST = route(async (request: Request) => {
  checkSameOrigin(request);
  const { name, password } = parse(schemas.signIn, await readBody(request));
  const { caller, cookie } = await signIn(request, name, password);
  return json(callerView(caller), 200, { "Set-Cookie": cookie });
});

export const GET = route(async (request: Request) => json(callerView(await callerOf(request))));

export const DELETE = route(async (request: Request) => {
  checkSameOrigin(request);
  return new Response(null, { status: 204, headers: { "Set-Cookie": await signOut(request) } });
});
