// What every API route shares: the error shape of the contract (`{ error: { code, message,
// errors? } }`), the one table from error codes to HTTP statuses, reading a JSON body within
// its limits, and turning anything unexpected into a 500 that carries an incident id (the
// stack trace goes to the server's log, never to the client).

import { randomBytes } from "node:crypto";
import type { z } from "zod";

export interface FieldError {
  id: string;
  message: string;
}

/** The codes the API answers with; the engine's error codes are among them. */
export const STATUS_OF = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  NOT_RUNNING: 409,
  TOO_LARGE: 413,
  INVALID: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof STATUS_OF;

/** An error to answer with: thrown anywhere under a route, turned into its response by `route`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

export function errorResponse(code: ErrorCode, message: string, errors?: FieldError[]): Response {
  return json({ error: { code, message, ...(errors && errors.length > 0 ? { errors } : {}) } }, STATUS_OF[code]);
}

/** An engine error (or anything with a known code) as the API's error; undefined if unknown. */
function knownError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown; name?: unknown };
  if (e && (e.name === "EngineError" || e.name === "ApiError") && typeof e.code === "string" && e.code in STATUS_OF) {
    return new ApiError(e.code as ErrorCode, String(e.message), Array.isArray(e.errors) ? (e.errors as FieldError[]) : undefined);
  }
  return undefined;
}

/** Wraps a route handler: known errors become their status, others a logged 500 with an id. */
export function route<Args extends unknown[]>(handler: (...args: Args) => Promise<Response>): (...args: Args) => Promise<Response> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (err) {
      const known = knownError(err);
      if (known) return errorResponse(known.code, known.message, known.errors);
      const incident = randomBytes(6).toString("hex");
      console.error(`weft: incident ${incident}:`, err);
      return errorResponse("INTERNAL", `something went wrong on the server (incident ${incident}); it has been logged: try again, and report the incident id if it persists`);
    }
  };
}

/** How deep a parsed JSON value nests (objects and arrays count one level each). */
export function depthOf(value: unknown, limit = MAX_DEPTH + 1): number {
  // Iterative, so that a hostile body cannot overflow the stack before the limit is seen.
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max >= limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return max;
}

/**
 * The request's JSON body, checked: at most 1 MiB (413), JSON (400), nesting at most 64 deep
 * (400). An empty body is `undefined` (routes with optional bodies accept it).
 */
export async function readBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError("TOO_LARGE", `the body has ${declared} bytes; at most ${MAX_BODY_BYTES} (1 MiB) are accepted`);
  const text = await readLimited(request);
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiError("BAD_REQUEST", `the body is not JSON: ${(err as Error).message}`);
  }
  if (depthOf(value) > MAX_DEPTH) throw new ApiError("BAD_REQUEST", `the body nests deeper than ${MAX_DEPTH} levels`);
  return value;
}

async function readLimited(request: Request): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new ApiError("TOO_LARGE", `the body is over ${MAX_BODY_BYTES} bytes (1 MiB)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Checks a value against a route's schema; 400 naming each field (as a JSON Pointer) when it does not match. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what = "body"): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    id: issue.path.length === 0 ? what : `/${issue.path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`,
    message: issue.message,
  }));
  // 400, not 422: a body of the wrong shape is a malformed request; 422 is kept for a workflow
  // document with errors and for input that does not match a workflow's inputSchema.
  throw new ApiError("BAD_REQUEST", `the ${what} is not what this route takes: ${errors.map((e) => `${e.id} ${e.message}`).join("; ")}`, errors);
}

/** Workflow ids: 1-200 characters of [A-Za-z0-9._:-] (the contract). */
export const WORKFLOW_ID = /^[A-Za-z0-9._:-]{1,200}$/;
/** Workflow names: the document's identifier rule. */
export const WORKFLOW_NAME = /^[a-z][a-z0-9-]{0,99}$/;

export function checkWorkflowId(id: string): string {
  if (!WORKFLOW_ID.test(id)) throw new ApiError("BAD_REQUEST", `"${id.slice(0, 60)}" is not a workflow id: use 1-200 characters of letters, digits and . _ : -`);
  return id;
}

export function checkWorkflowName(name: string): string {
  if (!WORKFLOW_NAME.test(name)) throw new ApiError("NOT_FOUND", `there is no workflow named "${name.slice(0, 60)}"`);
  return name;
}
