// Errors of the engine's API, with a code each: the command turns them into a one-line reason
// and exit status 1, the HTTP API into a 4xx status.

export type EngineErrorCode =
  | "NOT_FOUND" // unknown workflow, run, version or signal target
  | "CONFLICT" // an open run with that workflow id exists
  | "INVALID" // input not matching inputSchema, a document with errors
  | "BAD_REQUEST" // malformed arguments
  | "UNAUTHORIZED" // not signed in, or a wrong name or password (HTTP 401)
  | "FORBIDDEN" // signed in, but not allowed to do this (HTTP 403)
  | "RATE_LIMITED" // too many failed sign-ins for a name or from an address (HTTP 429)
  | "NOT_RUNNING" // the run has ended
  | "UNAVAILABLE"; // this process may not write here: its payload keys do not match the database's (HTTP 503)

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly errors?: { id: string; message: string }[],
    /** The errors are a workflow document's (deploy), not an input's. */
    readonly document = false,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

/** Did a statement fail on a unique index (both databases)? */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE" || /UNIQUE constraint failed/.test(e?.message ?? "");
}

/**
 * Did a statement fail only because of another transaction at the same moment (a deadlock, a
 * serialization failure, a busy database)? Such work is retried, not given up.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === "40P01" || code === "40001" || code === "55P03" || code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT";
}
