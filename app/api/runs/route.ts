import { callerOf } from "../../lib/auth.ts";
import { json, parse, readBody, route } from "../../lib/http.ts";
import * as schemas from "../../lib/api/schemas.ts";
import { closeMany, listWithCounts } from "../../lib/api/runs.ts";

export const GET = route(async (request: Request) => {
  await callerOf(request);
  return json(await listWithCounts(parse(schemas.runsQuery, schemas.queryOf(request), "query")));
});

/** Bulk: `{ action: "cancel" | "terminate", workflowIds, reason? }` → `{ done, failed }` (operators). */
export const POST = route(async (request: Request) => {
  const caller = await callerOf(request);
  return json(await closeMany(caller, parse(schemas.bulkClose, await readBody(request))));
});
