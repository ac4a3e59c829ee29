// The HTTP API benchmark (`npm run bench -- api`). On SQLite and on PostgreSQL it starts the
// app as `npm start` runs it (`weft dev`: engine, worker and app in one process) on a fresh
// database and measures, each beside a baseline taken in the same run:
//
//  1. starting a run over HTTP (POST /api/workflows/{name}/runs, bearer token) against
//     `engine.start` called in-process on the same database, with a worker in the process as
//     `weft dev` has (target: HTTP adds at most 2 ms at p50);
//  2. a history append to the moment an SSE client has the event (the event's own `at`, taken
//     by the server as it appended, to the client's receipt; same clock), against a plain
//     HTTP round trip (GET /api/session) (targets: p50 ≤ 30 ms, p99 ≤ 100 ms);
//  3. the runs list's first page and the approvals inbox with 100,000 runs and 10,000 pending
//     approvals in the database (targets: p50 ≤ 50 ms each), against the same round trip;
//  4. sign-in (POST /api/session), against one scrypt hash with the people store's parameters
//     (N = 2^15, r = 8, p = 1) in this process: the hash is what a sign-in costs, on purpose.
//
// Environment: WEFT_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/test),
// WEFT_BENCH_DB=sqlite|postgresql (or `npm run bench -- api sqlite`).

import { spawn } from "node:child_process";
import { randomBytes, scryptSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "../engine/engine.ts";
import { Worker } from "../engine/worker/worker.ts";
import { PING_PONG as PING } from "../test/engine/documents.ts";
import { freshDatabase, get, ms, p50, percentile, signIn, sleep, startApp, stopApp, timed, type Check, type Kind } from "./app-harness.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STARTS = 300;
const SIGNALS = 150;
const LIST_RUNS = 100_000;
const PENDING = 10_000;
const SAMPLES = 40;


/** A workflow that waits on a timer a day away: starting it is the whole cost measured. */
const PARKED = {
  name: "bench-parked",
  nodes: [
    { id: "start", type: "start" },
    { id: "wait", type: "timer", duration: "1d" },
    { id: "done", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "wait" },
    { id: "e2", source: "wait", target: "done" },
  ],
};


/** The approvals the inbox lists: one per open run, for one of ten teams. */
const APPROVAL = {
  name: "bench-approval",
  nodes: [
    { id: "start", type: "start" },
    { id: "review", type: "approval", title: "Review", message: "Please review", assignees: ["=input.team"] },
    { id: "done", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "review" },
    { id: "e2", source: "review", target: "done", sourceHandle: "approved" },
    { id: "e3", source: "review", target: "done", sourceHandle: "declined" },
  ],
};


/** 100,000 runs, 10,000 of them open and waiting at an approval, written straight to the tables. */
async function seed(url: string): Promise<void> {
  const engine = await Engine.open({ url });
  try {
    const { version, hash } = await engine.deploy(APPROVAL);
    const teams = ["finance", "legal", "sales", "ops-team", "hr", "it", "risk", "audit", "support", "board"];
    const now = Date.now();
    const codec = engine.codec;
    for (let start = 0; start < LIST_RUNS; start += 500) {
      await engine.db.transaction(async (tx) => {
        const runs: unknown[] = [];
        const events: unknown[] = [];
        const count = Math.min(500, LIST_RUNS - start);
        for (let i = start; i < start + count; i++) {
          const open = i % (LIST_RUNS / PENDING) === 0;
          const runId = `bench-run-${String(i).padStart(7, "0")}`;
          const at = now - (LIST_RUNS - i) * 1000;
          const team = teams[Math.floor(i / (LIST_RUNS / PENDING)) % teams.length];
          runs.push(runId, `bench-${i}`, APPROVAL.name, version, hash, open ? "running" : "completed", codec.encode({ team }), at, open ? null : at + 500, runId, open ? 3 : 4, at, open ? "review" : null, open ? "approval" : null, open ? at : null, open ? 2 : null);
          events.push(runId, 1, "WorkflowStarted", at, null, null, codec.encode({ workflowId: `bench-${i}`, runId, name: APPROVAL.name, version, hash, input: { team }, firstStartedAt: at }));
          events.push(runId, 2, "ApprovalRequested", at, "review", null, codec.encode({ cmd: 0, nodeId: "review", title: "Review", message: "Please review", assignees: [team] }));
        }
        await tx.execute(
          `INSERT INTO run (run_id, workflow_id, name, version, hash, status, input, started_at, closed_at, first_run_id, next_seq, updated_at, wait_node, wait_kind, wait_since, wait_seq) VALUES ${Array.from({ length: count }, () => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
          runs as never,
        );
        await tx.execute(`INSERT INTO history_event (run_id, seq, type, at, node_id, attempt, data) VALUES ${Array.from({ length: count * 2 }, () => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`, events as never);
      });
    }
    await engine.db.execute("ANALYZE");
  } finally {
    await engine.close();
  }
}

async function benchKind(kind: Kind, dir: string): Promise<Check[]> {
  const checks: Check[] = [];
  const rows: string[][] = [];
  const row = (figure: string, value: string, baseline: string, target: string, pass: boolean | undefined) => {
    rows.push([figure, value, baseline, target, pass === undefined ? "" : pass ? "PASS" : "MISS"]);
    if (pass !== undefined) checks.push({ name: `${kind} ${figure}`, pass, detail: `${value} (baseline ${baseline}; target ${target})` });
  };

  // 1. Start a run: in-process, then over HTTP, on the same database (the 100,000 runs seeded),
  // each with a worker in the process taking the new runs to their timer as `weft dev` runs: the
  // difference is what the HTTP layer (routing, auth, parsing, JSON) adds, not the worker's work.
  const db = freshDatabase(kind, dir, "api");
  await seed(db.url);
  const engine = await Engine.open({ url: db.url });
  await engine.deploy(PARKED);
  const worker = new Worker(engine, new Map());
  await worker.start();
  const inProcess: number[] = [];
  for (let i = 0; i < STARTS; i++) inProcess.push(await timed(() => engine.start(PARKED.name, { input: {} })));
  await worker.stop();
  await engine.close();

  const app = await startApp(db.url, dir, 180_000);
  try {
    const ops = await signIn(app.base, "ops", app.password);
    const fin1 = await signIn(app.base, "fin1", app.password);
    const tokenProc = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [join(ROOT, "bin/weft.mjs"), "token", "create", "ops", "--json"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
      let out = "";
      p.stdout.on("data", (d) => (out += String(d)));
      p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`token create: ${code}`))));
    });
    const token = (JSON.parse(tokenProc.trim().split("\n").at(-1)!) as { token: string }).token;
    for (const d of [PARKED, PING]) {
      const file = join(dir, `${d.name}.json`);
      writeFileSync(file, JSON.stringify(d));
      await new Promise<void>((resolve, reject) => {
        const p = spawn(process.execPath, [join(ROOT, "bin/weft.mjs"), "deploy", file], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
        p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`deploy ${d.name}: ${code}`))));
      });
    }
    const roundTrips: number[] = [];
    for (let i = 0; i < 100; i++) roundTrips.push(await timed(() => get(app.base, "/api/session", ops)));
    const rt = p50(roundTrips);

    const overHttp: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      overHttp.push(
        await timed(async () => {
          const r = await fetch(`${app.base}/api/workflows/${PARKED.name}/runs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
          if (r.status !== 201) throw new Error(`start: ${r.status} ${await r.text()}`);
          await r.arrayBuffer();
        }),
      );
    }
    const added = p50(overHttp) - p50(inProcess);
    row("start a run: HTTP p50 minus in-process p50", ms(added), `in-process ${ms(p50(inProcess))}, HTTP ${ms(p50(overHttp))}, round trip ${ms(rt)}`, "≤ 2 ms", added <= 2);

    // 2. History append → SSE event.
    const started = (await (await fetch(`${app.base}/api/workflows/${PING.name}/runs`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ workflowId: `ping-${kind}` }) })).json()) as { workflowId: string };
    const latencies: number[] = [];
    const abort = new AbortController();
    const stream = (async () => {
      const r = await fetch(`${app.base}/api/runs/${started.workflowId}/stream`, { headers: { cookie: ops }, signal: abort.signal });
      const reader = r.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      let seen = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const receivedAt = Date.now();
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split("\n").find((l) => l.startsWith("data: "));
            if (!data) continue;
            const event = JSON.parse(data.slice(6)) as { type: string; at: string };
            // The first events were there before the client connected: not live appends.
            if (++seen > 2) latencies.push(receivedAt - Date.parse(event.at));
          }
        }
      } catch {
        // aborted at the end
      }
    })();
    await sleep(500);
    for (let i = 0; i < SIGNALS; i++) {
      const r = await fetch(`${app.base}/api/runs/${started.workflowId}/signals/ping`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ payload: i }) });
      if (r.status !== 200) throw new Error(`signal: ${r.status} ${await r.text()}`);
      await sleep(20);
    }
    await sleep(500);
    abort.abort();
    await stream;
    row("history append → SSE event p50", ms(p50(latencies)), `HTTP round trip ${ms(rt)}`, "≤ 30 ms", p50(latencies) <= 30);
    row(`history append → SSE event p99 (${latencies.length} events)`, ms(percentile(latencies, 99)), `HTTP round trip ${ms(rt)}`, "≤ 100 ms", percentile(latencies, 99) <= 100);

    // 3. Lists with 100,000 runs and 10,000 pending approvals.
    const firstPage: number[] = [];
    const inbox: number[] = [];
    let inboxSize = 0;
    for (let i = 0; i < SAMPLES; i++) {
      firstPage.push(await timed(() => get(app.base, "/api/runs", ops)));
      inbox.push(await timed(async () => (inboxSize = ((await get(app.base, "/api/approvals", fin1)) as unknown[]).length)));
    }
    row(`runs list, first page (${LIST_RUNS.toLocaleString("en-US")} runs) p50`, ms(p50(firstPage)), `HTTP round trip ${ms(rt)}`, "≤ 50 ms", p50(firstPage) <= 50);
    row(`approvals inbox of a finance approver (${inboxSize} of ${PENDING.toLocaleString("en-US")} pending) p50`, ms(p50(inbox)), `HTTP round trip ${ms(rt)}`, "≤ 50 ms", p50(inbox) <= 50);

    // 4. Sign-in, against the hash it is made of.
    const hashes: number[] = [];
    for (let i = 0; i < 10; i++) hashes.push(await timed(async () => scryptSync("correct horse battery", randomBytes(16), 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })));
    const signIns: number[] = [];
    for (let i = 0; i < 10; i++) signIns.push(await timed(() => signIn(app.base, "ada", app.password)));
    row("sign-in p50", ms(p50(signIns)), `one scrypt hash ${ms(p50(hashes))}`, "(context: the hash is the cost)", undefined);
  } finally {
    await stopApp(app.proc);
    await db.drop();
  }
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...[["figure", "value", "baseline", "target", ""], ...rows].map((r) => r[c].length)));
  for (const r of [["figure", "value", "baseline", "target", ""], ...rows]) console.log(`${kind.padEnd(10)}  ${r.map((c, i) => c.padEnd(widths[i])).join("  ")}`);
  console.log();
  return checks;
}

export default async function api(): Promise<Check[]> {
  const only = process.env.WEFT_BENCH_DB ?? process.argv.find((a) => a === "sqlite" || a === "postgresql");
  const kinds: Kind[] = only ? [only as Kind] : ["sqlite", "postgresql"];
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-api-"));
  const checks: Check[] = [];
  try {
    for (const kind of kinds) checks.push(...(await benchKind(kind, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return checks;
}
