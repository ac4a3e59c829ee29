import { callerOf } from "../../../lib/auth.ts";
import { route } from "../../../lib/http.ts";
import * as people from "../../../lib/api/people.ts";

export const DELETE = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  await people.revokeToken(await callerOf(request), (await params).id);
  return new Response(null, { status: 204 });
});
