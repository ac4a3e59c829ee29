// A run's history as the command's --json (and, later, the HTTP API) shows it: the same events,
// with every time an ISO 8601 string, as in the describe document. The engine keeps epoch
// milliseconds, which its clock and replay compute with.

import type { RecordedEvent } from "./runtime/events.ts";
import type { EventJson } from "./views.ts";

export type { EventJson } from "./views.ts";

/** The fields of history events that hold a time (epoch ms). */
const TIME_FIELDS = ["at", "dueAt", "nextAttemptAt", "startedAt", "firstStartedAt"] as const;

export function eventJson(event: RecordedEvent): EventJson {
  const out: Record<string, unknown> = { ...event };
  for (const field of TIME_FIELDS) {
    const value = out[field];
    if (typeof value === "number") out[field] = new Date(value).toISOString();
  }
  return out as EventJson;
}
