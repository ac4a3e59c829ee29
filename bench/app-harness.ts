// What the benchmarks that drive the app over HTTP share (api.ts, operate.ts): a throwaway
// database, `weft dev` started and stopped on it, a signed-in cookie, timing and figures.
// Not a benchmark itself (no default export): bench/run.ts does not run it.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PG_URL = process.env.WEFT_BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export type Kind = "sqlite" | "postgresql";

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
export const p50 = (v: number[]) => percentile(v, 50);
export const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

export interface Database {
  url: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file in `dir`, or a fresh PostgreSQL schema named after `bench`. */
export function freshDatabase(kind: Kind, dir: string, bench: string): Database {
  if (kind === "sqlite") return { url: `file:${join(dir, `bench-${randomBytes(3).toString("hex")}.db`)}`, drop: async () => {} };
  const schema = `weft_bench_${bench}_${process.pid}_${randomBytes(3).toString("hex")}`;
  return {
    url: `${PG_URL}?schema=${schema}`,
    async drop() {
      const client = new pg.Client(PG_URL);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** `weft dev` on `url`; resolves when it serves, with its address and demo password. */
export async function startApp(url: string, dir: string, timeoutMs: number): Promise<{ base: string; password: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(ROOT, "bin/weft.mjs"), "dev", "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, WEFT_OUTBOX: join(dir, "outbox.jsonl") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += String(d)));
  proc.stderr!.on("data", (d) => (out += String(d)));
  const deadline = Date.now() + timeoutMs;
  while (!/Weft is running on/.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`weft dev did not start:\n${out}`);
    await sleep(50);
  }
  return { base: /Weft is running on (\S+)/.exec(out)![1], password: /with the password (\S+)/.exec(out)?.[1] ?? "", proc };
}

export async function stopApp(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.on("exit", r));
  proc.kill("SIGTERM");
  await exited;
}

export async function signIn(base: string, name: string, password: string): Promise<string> {
  const r = await fetch(`${base}/api/session`, { method: "POST", headers: { origin: base, "content-type": "application/json" }, body: JSON.stringify({ name, password }) });
  if (r.status !== 200) throw new Error(`sign-in of ${name}: ${r.status} ${await r.text()}`);
  return (r.headers.get("set-cookie") ?? "").split(";")[0];
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function get(base: string, path: string, cookie: string): Promise<unknown> {
  const r = await fetch(base + path, { headers: { cookie } });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}
