import { callerOf } from "../../lib/auth.ts";
import { json, parse, route } from "../../lib/http.ts";
import * as schemas from "../../lib/api/schemas.ts";
import { list } from "../../lib/api/runs.ts";

export const GET = route(async (request: Request) => {
  await callerOf(request);
  return json(await list(parse(schemas.runsQuery, schemas.queryOf(request), "query")));
});
