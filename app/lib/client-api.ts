// The JSON API as the browser's components call it: one function that sends JSON, and turns
// an error answer into a sentence a person can act on (the server's own words where it gave
// some). Cookies go along by themselves; the browser adds the Origin header the API checks.

import { sentence } from "./present.ts";

export type ApiResult<T> = { ok: true; status: number; data: T; etag?: string } | { ok: false; status: number; code: string; message: string };

const FALLBACK: Record<number, string> = {
  400: "The request was not understood.",
  401: "You are signed out. Sign in again, then repeat what you did.",
  403: "You are not allowed to do this. Ask an admin if you need to.",
  404: "It is not there any more. Reload the page to see what is.",
  409: "Someone changed this at the same time. Reload the page to see what is there now.",
  413: "That is too large to send.",
  422: "That is not valid.",
  429: "Too many attempts. Wait a few minutes, then try again.",
};

/** `headers`: more request headers (If-Match, say). */
export async function callApi<T>(method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...headers, ...(body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, status: 0, code: "NETWORK", message: "Weft cannot be reached. Check that it is still running and your connection, then try again." };
  }
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (response.ok) {
    const etag = response.headers.get("ETag");
    return { ok: true, status: response.status, data: data as T, ...(etag === null ? {} : { etag }) };
  }
  const error = (data as { error?: { code?: string; message?: string; errors?: { id: string; message: string }[] } } | undefined)?.error;
  const fields = error?.errors?.length ? ` ${error.errors.map((e) => `${e.id}: ${e.message}`).join("; ")}` : "";
  const message = error?.message ? sentence(error.message) + (fields && !error.message.includes(error.errors![0].message) ? fields : "") : (FALLBACK[response.status] ?? `Weft answered with an error (${response.status}). Try again.`);
  return { ok: false, status: response.status, code: error?.code ?? String(response.status), message };
}
