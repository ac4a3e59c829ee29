// The activity plugin API, for TypeScript users. A plugin module's default export is an array
// of activity definitions; plain objects work without importing anything from Weft, and
// `defineActivity` only adds types.
//
//   import { defineActivity } from "weft/activity";   // or a relative path to engine/activity.ts
//   export default [
//     defineActivity<{ orderId: string }, { id: string }>({
//       name: "orders.init",
//       async run(input, ctx) { ctx.log.info("attempt", ctx.attempt); return { id: input.orderId }; },
//     }),
//   ];
//
// An activity fails by throwing; the error's type is `err.type ?? err.name`, matched against the
// step's `nonRetryableErrors`.

export interface ActivityInfo {
  readonly workflowId: string;
  readonly runId: string;
  /** The step's node id in the drawing. */
  readonly nodeId: string;
  /** The activity's name, e.g. "orders.init". */
  readonly activity: string;
}

export interface ActivityLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface ActivityContext {
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** Aborted when the attempt's start-to-close timeout passes, or the run is cancelled. */
  readonly signal: AbortSignal;
  /**
   * Tells the engine the attempt is alive. `details` (any JSON value: progress so far) is kept
   * for the step: should this attempt fail or its worker die, the next attempt gets it as
   * `heartbeatDetails` and can carry on from there.
   */
  heartbeat(details?: unknown): void;
  /** What the previous attempt of this step last reported with `heartbeat(details)`, if anything. */
  readonly heartbeatDetails?: unknown;
  readonly log: ActivityLogger;
  readonly info: ActivityInfo;
}

export interface ActivityDefinition<I = any, O = any> {
  /** How steps name it: letters, digits, `_`, `-`, in dot-separated parts, e.g. "orders.init". */
  name: string;
  /** Shown in the designer's palette. */
  title?: string;
  description?: string;
  /** JSON Schema of the input; the designer generates the step's form from it. */
  inputSchema?: object;
  run(input: I, ctx: ActivityContext): Promise<O> | O;
}

/** Types a definition; returns it unchanged. */
export function defineActivity<I = any, O = any>(definition: ActivityDefinition<I, O>): ActivityDefinition<I, O> {
  return definition;
}

/** What an activity name must look like. */
export const ACTIVITY_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*)*$/;

/** The error type retry policies match: `err.type ?? err.name`. */
export function errorType(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const { type, name } = error as { type?: unknown; name?: unknown };
    if (typeof type === "string" && type !== "") return type;
    if (typeof name === "string" && name !== "") return name;
  }
  return "Error";
}
