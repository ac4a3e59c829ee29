// Who is calling, and may they. A browser is signed in by an HttpOnly session cookie; a
// machine client sends `Authorization: Bearer <token>`. A write made with the cookie must come
// from a page of this very origin (a missing Origin is refused too), so another site cannot
// make a signed-in browser act; bearer requests carry no ambient credential and are exempt.

import type { Caller } from "../../engine/permissions.ts";
import { ApiError } from "./http.ts";
import { weft } from "./weft.ts";

export type { Caller };
export const SESSION_COOKIE = "weft_session";
/** The header `weft dev`'s server sets to the peer's address (any value a client sent is replaced). */
export const CLIENT_ADDRESS_HEADER = "x-weft-client-address";

export type Role = "admin" | "designer" | "operator";

export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The origin a request was addressed to, from its Host header (what the browser compares with). */
export function addressedOrigin(request: Request): string {
  const host = request.headers.get("host") ?? new URL(request.url).host;
  const proto = request.headers.get("x-forwarded-proto") === "https" ? "https" : new URL(request.url).protocol.replace(":", "");
  return `${proto}://${host}`;
}

/** Refuses a cookie-borne write from another origin (or with no Origin at all). */
export function checkSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (origin === null || origin !== addressedOrigin(request)) {
    throw new ApiError("FORBIDDEN", origin === null ? "this request has no Origin header: it must come from a Weft page" : `a request from ${origin.slice(0, 100)} may not act for a signed-in person here`);
  }
}

/** The signed-in caller, or 401. Writes by cookie must pass the origin check. */
export async function callerOf(request: Request): Promise<Caller> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const caller = match ? await weft().people.callerForToken(match[1]) : undefined;
    if (!caller) throw new ApiError("UNAUTHORIZED", "the bearer token is not valid (revoked, or never issued): create one with `weft token create NAME`");
    return caller;
  }
  const session = cookieValue(request, SESSION_COOKIE);
  const caller = session ? await weft().people.callerForSession(session) : undefined;
  if (!caller) throw new ApiError("UNAUTHORIZED", "you are not signed in: sign in first");
  if (request.method !== "GET" && request.method !== "HEAD") checkSameOrigin(request);
  return caller;
}

/** The caller, who must hold `role` (admin holds every role's meaning), else 403. */
export async function callerWith(request: Request, role: Role): Promise<Caller> {
  const caller = await callerOf(request);
  requireRole(caller, role);
  return caller;
}

const WHAT: Record<Role, string> = {
  admin: "only an admin may do this",
  designer: "editing, deploying and exporting workflows needs the designer role",
  operator: "starting, signalling, cancelling, terminating and retrying runs needs the operator role",
};

export function requireRole(caller: Caller, role: Role): void {
  if (caller.roles.includes("admin") || caller.roles.includes(role)) return;
  throw new ApiError("FORBIDDEN", `${WHAT[role]}; ask an admin for it`);
}

export function clientAddress(request: Request): string {
  return request.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}

export function sessionCookie(value: string, expiresAt: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
