// The date helpers expressions may call. They are kept as source text because they travel
// inside generated code: the Temporal export embeds them (it may import nothing but
// @temporalio/workflow), and the engine evaluates the same text in its sandbox, so both targets
// run the very same functions. Pure and UTC-only.

export const DATE_HELPER_NAMES = ["addDuration", "startOfNextMonth"] as const;
export type DateHelperName = (typeof DATE_HELPER_NAMES)[number];

export const DATE_HELPER_SOURCE: Record<DateHelperName, string> = {
  addDuration: `/** \`at\` (an ISO date-time) plus a duration such as "7d" or "PT10S", as an ISO date-time. */
function addDuration(at: string, duration: string): string {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  const short = /^(\\d+)(ms|s|m|h|d)$/.exec(duration);
  const iso = /^P(?:(\\d+)W)?(?:(\\d+)D)?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?$/.exec(duration);
  let ms: number;
  if (short) ms = Number(short[1]) * units[short[2]];
  else if (iso && duration !== "P" && !duration.endsWith("T")) {
    const [, w, d, h, m, s] = iso;
    ms = (Number(w ?? 0) * 7 + Number(d ?? 0)) * units.d + Number(h ?? 0) * units.h + Number(m ?? 0) * units.m + Math.round(Number(s ?? 0) * 1000);
  } else throw new RangeError(\`addDuration: "\${duration}" is not a duration\`);
  const time = Date.parse(at);
  if (Number.isNaN(time)) throw new RangeError(\`addDuration: "\${at}" is not a date-time\`);
  return new Date(time + ms).toISOString();
}`,
  startOfNextMonth: `/** Midnight UTC on the first day of the month after \`at\` (an ISO date-time). */
function startOfNextMonth(at: string): string {
  const date = new Date(Date.parse(at));
  if (Number.isNaN(date.getTime())) throw new RangeError(\`startOfNextMonth: "\${at}" is not a date-time\`);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)).toISOString();
}`,
};
