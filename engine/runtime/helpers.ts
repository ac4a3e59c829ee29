// The date helpers expressions call, as the engine provides them (ctx.helpers). The Temporal
// export embeds the same functions from compiler/date-helpers.ts; a test holds the two equal.

import { parseDuration } from "../../compiler/durations.ts";

export function addDuration(at: string, duration: string): string {
  const ms = parseDuration(duration);
  if (ms === undefined) throw new RangeError(`addDuration: "${duration}" is not a duration`);
  const time = Date.parse(at);
  if (Number.isNaN(time)) throw new RangeError(`addDuration: "${at}" is not a date-time`);
  return new Date(time + ms).toISOString();
}

export function startOfNextMonth(at: string): string {
  const date = new Date(Date.parse(at));
  if (Number.isNaN(date.getTime())) throw new RangeError(`startOfNextMonth: "${at}" is not a date-time`);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)).toISOString();
}
