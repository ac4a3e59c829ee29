import { callerOf } from "../../lib/auth.ts";
import { json, route } from "../../lib/http.ts";
import { pending } from "../../lib/api/approvals.ts";

export const GET = route(async (request: Request) => json(await pending(await callerOf(request))));
