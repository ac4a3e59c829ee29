// Where the app's pages live, and the one check of a `next` parameter: only a path of this
// site may follow a sign-in (never `//other.site` or `https://…`, which would make the sign-in
// page an open redirect).

export const HOME = "/workflows";

/** `next` when it is a path of this site other than the sign-in page itself, else the home page. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || next.length > 2000) return HOME;
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return HOME;
  if (/[\u0000-\u001f\\]/.test(next)) return HOME;
  if (next === "/sign-in" || next.startsWith("/sign-in?") || next.startsWith("/sign-in/")) return HOME;
  return next;
}

export function signInPath(next?: string): string {
  return next && safeNext(next) !== HOME ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in";
}

/** A path segment for an id: workflow ids' characters (letters, digits, . _ : -) need no escaping. */
const segment = (id: string) => (/^[A-Za-z0-9._:-]+$/.test(id) ? id : encodeURIComponent(id));

export const runPath = (workflowId: string) => `/runs/${segment(workflowId)}`;
export const workflowPath = (name: string) => `/workflows/${segment(name)}`;
/** A decision link: the page of one approval, with its buttons; opening it decides nothing. */
export const approvalPath = (workflowId: string, nodeId: string) => `/approvals/${segment(workflowId)}/${encodeURIComponent(nodeId)}`;

/** A route parameter as written (whether or not the router decoded it already). */
export function param(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A path with a query string built from the defined, non-empty values. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
