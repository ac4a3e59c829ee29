// The approvals the caller may decide as server-sent events: the whole list at once, and again
// each time it changes (a decision accepted by anyone, a new wait, a run closed), so that an
// inbox follows without polling.
import { callerOf } from "../../../lib/auth.ts";
import { route } from "../../../lib/http.ts";
import { approvalsStream } from "../../../lib/api/stream.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (request: Request) => approvalsStream(await callerOf(request), request.signal));
