// Retry policies as DESIGN.md states them (Temporal's defaults when a field is missing):
// 1 s initial interval, coefficient 2, maximum interval 100 × the initial one, unlimited attempts.

import { parseDuration } from "../compiler/durations.ts";
import type { RetryOptions } from "./runtime/workflow-api.ts";

export const DEFAULT_ACTIVITY_TIMEOUT_MS = 5 * 60_000;

export interface RetryDecision {
  retry: boolean;
  /** Delay before the next attempt, when it retries. */
  delayMs?: number;
}

/**
 * Failures no retry can mend, whatever the policy says: the same input (recorded in the history)
 * would fail the same way.
 */
export const NEVER_RETRIED = ["InvalidActivityInput"];

/** After attempt `attempt` (1-based) failed with `errorType`: try again, and when? */
export function nextRetry(policy: RetryOptions | undefined, attempt: number, errorType: string): RetryDecision {
  const p = policy ?? {};
  if (NEVER_RETRIED.includes(errorType) || (p.nonRetryableErrors ?? []).includes(errorType)) return { retry: false };
  const max = p.maximumAttempts ?? 0;
  if (max > 0 && attempt >= max) return { retry: false };
  const initial = parseDuration(p.initialInterval ?? "1s") ?? 1000;
  const coefficient = p.backoffCoefficient ?? 2;
  const maximum = p.maximumInterval === undefined ? initial * 100 : (parseDuration(p.maximumInterval) ?? initial * 100);
  const delay = Math.min(initial * Math.pow(coefficient, attempt - 1), maximum);
  return { retry: true, delayMs: Math.round(delay) };
}
