// A small HTTP client for the API tests: requests as a browser would send them (cookie and
// same-origin Origin) or as a machine client (bearer token), answers parsed.

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a test reads fields of whatever came back
  text: string;
}

export interface RequestOptions {
  cookie?: string;
  bearer?: string;
  /** The Origin header; defaults to the app's own for cookie requests. `null`: none. */
  origin?: string | null;
  body?: unknown;
  /** A body sent as is (not JSON-encoded). */
  raw?: string;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(readonly base: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    const origin = options.origin === undefined ? this.base : options.origin;
    if (origin !== null && method !== "GET") headers.origin = origin;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  get = (path: string, options?: RequestOptions) => this.request("GET", path, options);
  post = (path: string, options?: RequestOptions) => this.request("POST", path, options);
  put = (path: string, options?: RequestOptions) => this.request("PUT", path, options);
  patch = (path: string, options?: RequestOptions) => this.request("PATCH", path, options);
  delete = (path: string, options?: RequestOptions) => this.request("DELETE", path, options);

  /** Signs in; resolves to the session cookie (`weft_session=…`). */
  async signIn(name: string, password: string): Promise<string> {
    const r = await this.post("/api/session", { body: { name, password } });
    if (r.status !== 200) throw new Error(`sign-in of ${name} answered ${r.status}: ${r.text}`);
    const cookie = r.headers.get("set-cookie") ?? "";
    return cookie.split(";")[0];
  }
}

/** Polls `check` until it returns a value, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 20_000, what = "the condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SseEvent {
  id: number;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Reads a server-sent event stream: the events (with their ids) until the server closes it,
 * or until `until` says enough (then the client disconnects, as a browser tab closing would).
 */
export async function readEvents(url: string, options: { cookie: string; lastEventId?: number; until?: (events: SseEvent[]) => boolean; timeoutMs?: number }): Promise<{ events: SseEvent[]; closedByServer: boolean; status: number; contentType: string | null }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? 20_000);
  const headers: Record<string, string> = { cookie: options.cookie, accept: "text/event-stream" };
  if (options.lastEventId !== undefined) headers["last-event-id"] = String(options.lastEventId);
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  let closedByServer = false;
  if (response.status !== 200 || !response.body) {
    clearTimeout(timer);
    return { events, closedByServer: true, status: response.status, contentType: response.headers.get("content-type") };
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        closedByServer = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: number | undefined;
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("id: ")) id = Number(line.slice(4));
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (id !== undefined) events.push({ id, data: JSON.parse(data) });
      }
      if (options.until?.(events)) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { events, closedByServer, status: response.status, contentType: response.headers.get("content-type") };
}
