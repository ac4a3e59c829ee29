import { callerOf } from "../../lib/auth.ts";
import { json, route } from "../../lib/http.ts";
import { activities } from "../../lib/api/workflows.ts";

export const GET = route(async (request: Request) => {
  await callerOf(request);
  return json(await activities());
});
