import { callerOf } from "../../lib/auth.ts";
import { json, parse, readBody, route } from "../../lib/http.ts";
import * as schemas from "../../lib/api/schemas.ts";
import * as people from "../../lib/api/people.ts";

export const GET = route(async (request: Request) => json(await people.list(await callerOf(request))));

export const POST = route(async (request: Request) => {
  const caller = await callerOf(request);
  return json(await people.add(caller, parse(schemas.newPerson, await readBody(request))), 201);
});
