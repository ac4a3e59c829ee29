// Retry policies as DESIGN.md states them, Temporal's defaults where a field is missing.

import { describe, expect, it } from "vitest";
import { nextRetry } from "../../engine/retry.ts";

describe("retry policies", () => {
  it("without a policy: 1 s, doubling, capped at 100 s, for ever", () => {
    expect([1, 2, 3, 7, 8, 50].map((attempt) => nextRetry(undefined, attempt, "Error").delayMs)).toEqual([1000, 2000, 4000, 64_000, 100_000, 100_000]);
    expect(nextRetry(undefined, 10_000, "Error").retry).toBe(true);
  });

  it("follows the initial interval, coefficient, maximum interval and maximum attempts it is given", () => {
    const policy = { initialInterval: "200ms", backoffCoefficient: 3, maximumInterval: "1s", maximumAttempts: 4 };
    expect([1, 2, 3].map((attempt) => nextRetry(policy, attempt, "Error"))).toEqual([
      { retry: true, delayMs: 200 },
      { retry: true, delayMs: 600 },
      { retry: true, delayMs: 1000 },
    ]);
    expect(nextRetry(policy, 4, "Error")).toEqual({ retry: false });
    expect(nextRetry({ maximumAttempts: 0 }, 1000, "Error").retry).toBe(true); // 0: unlimited
  });

  it("never retries the policy's non-retryable types, nor an input that does not match the activity's schema", () => {
    expect(nextRetry({ nonRetryableErrors: ["PaymentFailed"] }, 1, "PaymentFailed")).toEqual({ retry: false });
    expect(nextRetry({ nonRetryableErrors: ["PaymentFailed"] }, 1, "Timeout").retry).toBe(true);
    expect(nextRetry({ maximumAttempts: 10 }, 1, "InvalidActivityInput")).toEqual({ retry: false });
  });
});
