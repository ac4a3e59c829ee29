// Thousands of malformed requests against every writing route: bodies of the wrong type,
// unknown and hostile keys (__proto__, constructor), huge strings, deep nesting, path
// traversal in names and ids. The API must refuse each write with a 4xx (never a 5xx, never a
// stack trace), and nothing may be written.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./api-client.ts";
import { startWeft, type WeftServer } from "./weft-server.ts";

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = ["", " ", "__proto__", "constructor", "prototype", "../../etc/passwd", "..%2F..%2Fetc", "%00", "\u0000", "a".repeat(70_000), "<script>alert(1)</script>", "'; DROP TABLE run; --", "🙂".repeat(100), "=process.exit(1)", "=globalThis", "\\u0000"];
const HOSTILE_SEGMENTS = ["..", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%00", "a%2Fb", "__proto__", "constructor", "x".repeat(300), "%F0%9F%99%82", "Robert'); DROP TABLE run;--", "-", "."];

describe("the API under malformed input", () => {
  let weft: WeftServer;
  let api: ApiClient;
  let admin: string;
  let ops: string;
  let ada: string;

  beforeAll(async () => {
    weft = await startWeft("sqlite");
    api = new ApiClient(weft.url);
    admin = await api.signIn("admin", weft.demoPassword);
    ops = await api.signIn("ops", weft.demoPassword);
    ada = await api.signIn("ada", weft.demoPassword);
  }, 180_000);

  afterAll(async () => {
    await weft?.stop();
  });

  async function snapshot(): Promise<string> {
    const parts = await Promise.all(["/api/workflows", "/api/runs?limit=200", "/api/people", "/api/approvals"].map((p) => api.get(p, { cookie: admin })));
    // Open runs' counters and edit times stay as they were when nothing was written.
    return JSON.stringify(parts.map((p) => p.body));
  }

  it("answers thousands of malformed requests with a 4xx each, and writes nothing", async () => {
    const next = random(20261201);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
    const value = (depth = 0): unknown => {
      const r = next();
      if (depth > 3 || r < 0.3) return pick<unknown>([null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, ...HOSTILE_STRINGS]);
      if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 4); i > 0; i--) o[pick(["__proto__", "constructor", "input", "workflowId", "payload", "decision", "comment", "name", "roles", "password", "nodes", "edges", "reason", "label", pick(HOSTILE_STRINGS).slice(0, 50)])] = value(depth + 1);
      return o;
    };
    const body = (): { raw: string } => {
      const r = next();
      if (r < 0.1) return { raw: pick(["{", "[1,", "nul", "\"unterminated", "{\"a\":}", "\u0000", "{}{}", "[".repeat(100) + "]".repeat(100)]) };
      if (r < 0.15) return { raw: `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}` };
      return { raw: JSON.stringify(value()) };
    };
    const routes: { method: string; path: () => string; cookie: () => string }[] = [
      { method: "POST", path: () => `/api/workflows/${pick(["money-transfer", ...HOSTILE_SEGMENTS])}/runs`, cookie: () => ops },
      { method: "PUT", path: () => `/api/workflows/${pick(HOSTILE_SEGMENTS)}`, cookie: () => ada },
      { method: "POST", path: () => `/api/workflows/${pick(HOSTILE_SEGMENTS)}/deploy`, cookie: () => ada },
      { method: "POST", path: () => `/api/runs/${pick(HOSTILE_SEGMENTS)}/signals/${pick(HOSTILE_SEGMENTS)}`, cookie: () => ops },
      { method: "POST", path: () => `/api/runs/${pick(HOSTILE_SEGMENTS)}/${pick(["cancel", "terminate", "retry"])}`, cookie: () => ops },
      { method: "POST", path: () => `/api/approvals/${pick(HOSTILE_SEGMENTS)}/${pick(HOSTILE_SEGMENTS)}`, cookie: () => admin },
      // As an operator: the body is checked before the role, and a well-formed body cannot add anyone.
      { method: "POST", path: () => "/api/people", cookie: () => ops },
      { method: "PATCH", path: () => `/api/people/${pick(HOSTILE_SEGMENTS)}`, cookie: () => admin },
      { method: "POST", path: () => `/api/people/${pick(HOSTILE_SEGMENTS)}/tokens`, cookie: () => admin },
      { method: "DELETE", path: () => `/api/tokens/${pick(HOSTILE_SEGMENTS)}`, cookie: () => admin },
      { method: "POST", path: () => "/api/session", cookie: () => "" },
      { method: "GET", path: () => `/api/runs?${pick(["status", "cursor", "limit", "q", "node", "name", "__proto__"])}=${encodeURIComponent(pick(HOSTILE_STRINGS).slice(0, 300))}`, cookie: () => ops },
      { method: "GET", path: () => `/api/workflows/${pick(HOSTILE_SEGMENTS)}/versions/${pick(["0", "-1", "1e9", "99999999999", "abc", ...HOSTILE_SEGMENTS])}`, cookie: () => ops },
    ];

    const before = await snapshot();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const total = 2500;
    for (let i = 0; i < total; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          const route = pick(routes);
          const path = route.path();
          const b: { raw?: string } = route.method === "GET" || route.method === "DELETE" ? {} : body();
          const r = await api.request(route.method, path, { cookie: route.cookie(), ...b });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          // A write must be refused (4xx). A read may answer (a search for 🙂 finds nothing),
          // and a path with dot segments is redirected by Next to its normal form, on this
          // origin: neither writes anything.
          const redirectedHere = (r.status === 307 || r.status === 308) && (r.headers.get("location") ?? "").startsWith("/");
          const refused = r.status >= 400 && r.status < 500;
          const fine = refused || redirectedHere || (route.method === "GET" && r.status === 200);
          if (!fine || /\n\s+at /.test(r.text)) failures.push(`${route.method} ${path.slice(0, 120)} ${(b.raw ?? "").slice(0, 120)} → ${r.status} ${r.text.slice(0, 200)}`);
        }),
      );
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(await snapshot()).toBe(before);
    // Nothing reached Object.prototype in the server either: it still answers normally.
    const fine = await api.get("/api/session", { cookie: ops });
    expect(fine.body).toEqual({ name: "ops", displayName: expect.any(String), roles: ["operator"] });
  }, 180_000);
});
