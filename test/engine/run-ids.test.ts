// Run ids are version-7 UUIDs: ids made later sort after earlier ones (by their millisecond),
// so that rows of runs started together share index pages.
import { describe, expect, it } from "vitest";
import { newRunId } from "../../engine/run-ids.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("run ids", () => {
  it("are RFC 9562 version-7 UUIDs carrying their millisecond", () => {
    const at = Date.UTC(2026, 10, 22, 12, 0, 0, 123);
    const id = newRunId(at);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it("sort by creation time across milliseconds, and are distinct within one", () => {
    const base = Date.now();
    const ids = Array.from({ length: 1000 }, (_, i) => newRunId(base + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 10; i < ids.length; i += 10) expect(ids[i - 10]! < ids[i]!).toBe(true);
  });
});
