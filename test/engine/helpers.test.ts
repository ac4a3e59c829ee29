// The date helpers exist twice: the engine's (engine/runtime/helpers.ts) and the source text
// the Temporal export embeds (compiler/date-helpers.ts). They must be the same functions.

import ts from "typescript";
import { describe, expect, it } from "vitest";
import { DATE_HELPER_NAMES, DATE_HELPER_SOURCE } from "../../compiler/date-helpers.ts";
import * as engine from "../../engine/runtime/helpers.ts";

function embedded(name: (typeof DATE_HELPER_NAMES)[number]): (...args: string[]) => string {
  const js = ts.transpile(DATE_HELPER_SOURCE[name], { target: ts.ScriptTarget.ES2022 });
  return new Function(`${js}\nreturn ${name};`)();
}

const instants = ["2026-01-31T09:00:00.000Z", "2026-12-31T23:59:59.999Z", "2024-02-29T12:00:00Z", "2026-03-29T01:30:00+02:00", "not a date"];
const durations = ["500ms", "10s", "5m", "2h", "7d", "PT10S", "P7D", "P1W", "P1DT2H30M", "PT1.5S", "10 sec", "P", "P1M"];

function outcome(f: () => string): string {
  try {
    return f();
  } catch (err) {
    return `throws ${(err as Error).constructor.name}`;
  }
}

describe("the date helpers", () => {
  it("addDuration gives the same answer in the engine and in the Temporal export", () => {
    const temporal = embedded("addDuration");
    for (const at of instants) for (const d of durations) expect(outcome(() => engine.addDuration(at, d)), `${at} + ${d}`).toBe(outcome(() => temporal(at, d)));
    expect(engine.addDuration("2026-01-31T09:00:00.000Z", "P1DT2H30M")).toBe("2026-02-01T11:30:00.000Z");
  });

  it("startOfNextMonth gives the same answer in the engine and in the Temporal export", () => {
    const temporal = embedded("startOfNextMonth");
    for (const at of instants) expect(outcome(() => engine.startOfNextMonth(at)), at).toBe(outcome(() => temporal(at)));
    expect(engine.startOfNextMonth("2026-12-31T23:59:59.999Z")).toBe("2027-01-01T00:00:00.000Z");
  });
});
