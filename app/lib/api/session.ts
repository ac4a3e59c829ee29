// Signing in and out. A wrong name and a wrong password get the same answer, and failures are
// rate-limited per name and per address (engine/people.ts).

import { clearedSessionCookie, clientAddress, cookieValue, SESSION_COOKIE, sessionCookie, type Caller } from "../auth.ts";
import { weft } from "../weft.ts";

export async function signIn(request: Request, name: string, password: string): Promise<{ caller: Caller; cookie: string }> {
  const { caller, session, expiresAt } = await weft().people.signIn(name, password, clientAddress(request));
  const secure = new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  return { caller, cookie: sessionCookie(session, expiresAt, secure) };
}

export async function signOut(request: Request): Promise<string> {
  const session = cookieValue(request, SESSION_COOKIE);
  if (session) await weft().people.signOut(session);
  return clearedSessionCookie();
}

export function callerView(caller: Caller): Caller {
  return { name: caller.name, displayName: caller.displayName, roles: caller.roles };
}
