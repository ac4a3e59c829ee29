// Who is looking at a page: the person whose session cookie the request carries, found through
// the facade (server components run in the engine's process). A page that needs a signed-in
// person calls `signedIn(path)`, which sends everyone else to the sign-in page and back here
// afterwards.

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { SESSION_COOKIE, type Caller } from "./auth.ts";
import { weft } from "./weft.ts";
import { signInPath } from "./paths.ts";

/** The signed-in person, or undefined; asked once per request however many components ask. */
export const currentCaller = cache(async (): Promise<Caller | undefined> => {
  const session = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!session) return undefined;
  return weft().people.callerForSession(session);
});

/** The signed-in person; a visitor who is not signed in goes to /sign-in?next=`path`. */
export async function signedIn(path: string): Promise<Caller> {
  const caller = await currentCaller();
  if (!caller) redirect(signInPath(path));
  return caller;
}
