// Durations as the document writes them: "500ms", "10s", "5m", "2h", "7d", or ISO 8601
// ("PT10S", "P7D", "P1DT2H30M"). Months and years have no fixed length, so ISO durations
// with Y or M before the T are refused rather than guessed.

const SHORT = /^(\d+)(ms|s|m|h|d)$/;
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds in a duration, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== "string") return undefined;
  const short = SHORT.exec(text);
  if (short) {
    const ms = Number(short[1]) * UNIT_MS[short[2] as keyof typeof UNIT_MS];
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  const iso = ISO.exec(text);
  if (!iso || text === "P" || text.endsWith("T")) return undefined;
  const [, w, d, h, m, s] = iso;
  if ([w, d, h, m, s].every((part) => part === undefined)) return undefined;
  const ms =
    Number(w ?? 0) * 7 * UNIT_MS.d +
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Math.round(Number(s ?? 0) * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The same duration in the short form ("7d", "90s", "1500ms"), which both the engine and
 * Temporal's `ms`-style strings understand; the largest unit that divides it exactly wins.
 */
export function canonicalDuration(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return undefined;
  return formatDuration(ms);
}

export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
