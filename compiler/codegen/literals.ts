// Object literals both targets print the same way: retry policies, approval requests, the
// drawing's variables.

import type { ApprovalNode, RetryPolicy, Value } from "../document.ts";
import { canonicalDuration } from "../durations.ts";
import { objectOf, type Arg } from "./values.ts";

/** The retry policy as an object literal; Temporal calls the last field nonRetryableErrorTypes. */
export function retryLiteral(retry: RetryPolicy, nonRetryableKey: string): Arg {
  const fields: Record<string, Arg> = {};
  if (retry.initialInterval !== undefined) fields.initialInterval = JSON.stringify(canonicalDuration(retry.initialInterval));
  if (retry.backoffCoefficient !== undefined) fields.backoffCoefficient = JSON.stringify(retry.backoffCoefficient);
  if (retry.maximumInterval !== undefined) fields.maximumInterval = JSON.stringify(canonicalDuration(retry.maximumInterval));
  if (retry.maximumAttempts !== undefined) fields.maximumAttempts = JSON.stringify(retry.maximumAttempts);
  if (retry.nonRetryableErrors !== undefined) fields[nonRetryableKey] = JSON.stringify(retry.nonRetryableErrors);
  return objectArg(fields);
}

/** What an approval node asks of its approvers, as an object literal. */
export function approvalRequest(n: ApprovalNode, value: (v: Value | undefined) => Arg): Arg {
  const request: Record<string, Arg> = {};
  if (n.title !== undefined) request.title = value(n.title);
  if (n.message !== undefined) request.message = value(n.message);
  if (n.assignees !== undefined) request.assignees = JSON.stringify(n.assignees);
  if (n.timeout !== undefined) request.timeout = JSON.stringify(canonicalDuration(n.timeout));
  // Only when they ask for something: an approval without them prints as it always did.
  if (n.quorum !== undefined && n.quorum > 1) request.quorum = JSON.stringify(n.quorum);
  if (n.notStarter === true) request.notStarter = "true";
  return objectArg(request);
}

/** An object literal of printed fields, laid out for the width it is given. */
export function objectArg(fields: Record<string, Arg>): Arg {
  return (width) =>
    objectOf(
      Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? v : v(width - 2 - k.length - 2)])),
      width,
    );
}

/** `{ a, b }`: the drawing's variables as an object literal of shorthand properties. */
export function varsObject(vars: string[]): string {
  return vars.length === 0 ? "{}" : `{ ${vars.join(", ")} }`;
}
