// The engine benchmark (`npm run bench -- engine`). On SQLite (a temp file, synchronous=FULL)
// and on PostgreSQL (a fresh schema, dropped afterwards) it measures each figure of the engine
// issue beside a baseline taken in the same run through the raw driver, and prints a table
// with the ratio and PASS/MISS against the issue's target:
//
//  1. one 3-step run started alone: p50/p95 over 50 sequential runs (in-process worker), from
//     the start() call to the completion being committed, against five bare single-row commits;
//  2. 500 runs of the 3-step workflow started at once: runs/s and steps/s with one in-process
//     worker and with 4 worker processes, against the raw driver's commits/s (one connection);
//  3. database commits per completed step under that load;
//  4. timer lateness p99 over 10,000 due timers; signal → the waiting run's next step;
//  5. worker memory with 0, 5,000 and 10,000 runs parked on timers;
//  6. per-iteration time of a loop around its 10th and its 5,000th iteration (continue-as-new
//     keeps the history bounded);
//  and the latency of `weft start`, `weft signal` and `weft describe` (process spawn to exit).
//
// Environment: WEFT_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/test),
// WEFT_BENCH_DB=sqlite|postgresql to run one database only (or `npm run bench -- engine sqlite`),
// WEFT_BENCH_ONLY=word to run only the phases whose name contains it, WEFT_BENCH_WORKER_PROF=DIR
// for CPU profiles of the worker processes, WEFT_BENCH_WORKER_NODE_ARGS for other node flags
// of theirs (e.g. --perf-basic-prof), WEFT_BENCH_PROCESSES (default 4) and
// WEFT_BENCH_WARM_ROUNDS (rounds of 500 runs before measuring, default 4) and
// WEFT_BENCH_REPEATS (measured rounds, whose median is the figure; default 3) to vary that phase.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import pg from "pg";
import { Engine } from "../engine/engine.ts";
import { cliBundleIsFresh } from "../scripts/cli-bundle.mjs";
import type { PostgresDriver, SqliteDriver } from "../engine/storage/types.ts";
import { Worker } from "../engine/worker/worker.ts";
import { benchActivities, countCommits, DOCUMENTS, LOOP, observed, ONE_TIMER, SIGNAL_THEN_STEP, THREE_STEPS } from "./engine-shared.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PG_URL = process.env.WEFT_BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

const LATENCY_RUNS = 50;
const BURST_RUNS = 500;
/** Rounds of BURST_RUNS runs the worker processes do before anything is measured (JIT, caches, connections). */
const WARM_ROUNDS = Number(process.env.WEFT_BENCH_WARM_ROUNDS ?? 4);
const WORKER_PROCESSES = Number(process.env.WEFT_BENCH_PROCESSES ?? 4);
/** Rounds of the measured part of the worker-process phase (queued, then end to end). */
const REPEATS = Number(process.env.WEFT_BENCH_REPEATS ?? 3);
const PARKED_TIMERS = 10_000;
const TIMER_SPREAD_MS = 4000;
const SIGNAL_SAMPLES = 20;
const LOOP_ITERATIONS = 5010;
const LOOP_HISTORY_LIMIT = 1000;
const CLI_RUNS = 10;

type Kind = "sqlite" | "postgresql";

interface ResultRow {
  db: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: "PASS" | "MISS" | "" | "ERROR";
}

// ------------------------------------------------------------------------------------------------
// Small helpers

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
const median = (values: number[]) => percentile(values, 50);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ms` : "n/a");
const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a");
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : "n/a");
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

function memory(): { rss: number; heap: number } {
  const gc = gcFunction();
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Runs `count` calls with at most `width` in flight. */
async function pool(count: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

/** Resolves waiters as the worker's completed-runs count passes their targets (hooked into worker.stats). */
function watchCompletions(worker: Worker) {
  let count = worker.stats.runsCompleted;
  const waiters: { target: number; resolve: () => void }[] = [];
  Object.defineProperty(worker.stats, "runsCompleted", {
    get: () => count,
    set: (value: number) => {
      count = value;
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (count >= waiters[i]!.target) {
          waiters[i]!.resolve();
          waiters.splice(i, 1);
        }
      }
    },
  });
  return {
    get count() {
      return count;
    },
    until(target: number, timeoutMs: number, what: string): Promise<void> {
      if (count >= target) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${count}/${target} runs completed)`)), timeoutMs);
        waiters.push({
          target,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

// ------------------------------------------------------------------------------------------------
// The raw driver baselines

interface RawDriver {
  commit(): Promise<void>;
}

async function rawDriver(engine: Engine): Promise<RawDriver> {
  const driver = engine.db.driver;
  if (driver.kind === "sqlite") {
    // The engine's own connection (WAL, synchronous=FULL), used before the worker starts.
    const connection = (driver as SqliteDriver).connection;
    connection.exec("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    const insert = connection.prepare("INSERT INTO bench_raw (v) VALUES (?)");
    return { commit: async () => void insert.run("x") };
  }
  const pgPool = (driver as PostgresDriver).pool;
  await pgPool.query("CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)");
  return { commit: async () => void (await pgPool.query("INSERT INTO bench_raw (v) VALUES ($1)", ["x"])) };
}

async function measureRaw(raw: RawDriver): Promise<{ five: number[]; commitsPerSecond: number }> {
  for (let i = 0; i < 50; i++) await raw.commit();
  const five: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const t0 = performance.now();
    for (let j = 0; j < 5; j++) await raw.commit();
    five.push(performance.now() - t0);
  }
  let commits = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    await raw.commit();
    commits++;
  }
  return { five, commitsPerSecond: commits / ((performance.now() - t0) / 1000) };
}

// ------------------------------------------------------------------------------------------------
// Worker processes

interface ChildStats {
  steps: number;
  claims: number;
  loads: number;
  runsCompleted: number;
  groupCommits: number;
  units: number;
  transactions: number;
  autocommitWrites: number;
  notifies: number;
  rss: number;
  cpuMs: number;
  /** SQLite: statements that took over 1 ms (waiting for the write lock, or an fsync), by SQL. */
  slowStatements: Record<string, { count: number; ms: number }>;
}

class WorkerProcess {
  completed = 0;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  private readonly child;
  private readonly statsWaiters: ((s: ChildStats) => void)[] = [];

  constructor(url: string, script: string) {
    // WEFT_BENCH_WORKER_PROF=DIR: each worker process writes a CPU profile there.
    const profile = process.env.WEFT_BENCH_WORKER_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.WEFT_BENCH_WORKER_PROF}`] : [];
    const extra = process.env.WEFT_BENCH_WORKER_NODE_ARGS ? process.env.WEFT_BENCH_WORKER_NODE_ARGS.split(" ") : [];
    this.child = spawn(process.execPath, [...profile, ...extra, script, url], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "inherit"],
      env: process.env,
    });
    this.exited = new Promise((resolve) => this.child.on("exit", resolve));
    this.ready = new Promise<void>((resolve, reject) => {
      createInterface({ input: this.child.stdout! }).on("line", (line) => {
        let message: { ready?: boolean; completed?: number; stats?: ChildStats };
        try {
          message = JSON.parse(line);
        } catch {
          process.stderr.write(`${line}\n`);
          return;
        }
        if (message.ready) resolve();
        if (message.completed !== undefined) this.completed = message.completed;
        if (message.stats) this.statsWaiters.shift()?.(message.stats);
      });
      void this.exited.then((code) => reject(new Error(`worker process exited with ${code} before it was ready`)));
    });
  }

  private command(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  go(): void {
    this.command("go");
  }

  stats(): Promise<ChildStats> {
    return this.request("stats");
  }

  pause(): Promise<ChildStats> {
    return this.request("pause");
  }

  stop(): Promise<ChildStats> {
    return this.request("stop");
  }

  private request(line: string): Promise<ChildStats> {
    return new Promise<ChildStats>((resolve, reject) => {
      this.statsWaiters.push(resolve);
      void this.exited.then((code) => reject(new Error(`worker process exited with ${code} before reporting its stats`)));
      this.command(line);
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/**
 * The worker processes run the engine compiled as `weft worker` runs it (an esbuild bundle,
 * like dist/cli), not through tsx, whose transform wraps every function it creates in a
 * naming helper that costs a busy worker a few percent.
 */
async function bundleWorkerProcess(): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = join(ROOT, "dist/bench/engine-worker.js");
  await build({
    entryPoints: [join(ROOT, "bench/engine-worker.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
  return outfile;
}

// ------------------------------------------------------------------------------------------------
// The CLI

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(ROOT, "bin/weft.mjs"), ...args], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ ms: performance.now() - t0, code, stderr }));
  });
}

// ------------------------------------------------------------------------------------------------
// One database

async function benchDatabase(kind: Kind, rows: ResultRow[], notes: string[]): Promise<void> {
  const label = kind === "sqlite" ? "SQLite" : "PostgreSQL";
  const add = (figure: string, value: string, baseline: string, r: string, target: string, verdict: ResultRow["verdict"]) =>
    rows.push({ db: label, figure, value, baseline, ratio: r, target, verdict });
  const verdict = (ok: boolean): ResultRow["verdict"] => (ok ? "PASS" : "MISS");
  const phase = async (name: string, fn: () => Promise<void>) => {
    // WEFT_BENCH_ONLY=word runs only the phases whose name contains it (for working on one figure).
    if (process.env.WEFT_BENCH_ONLY && !name.includes(process.env.WEFT_BENCH_ONLY)) return;
    log(`${label}: ${name} (load ${load()})`);
    try {
      await fn();
    } catch (err) {
      add(name, `ERROR: ${(err as Error).message}`.slice(0, 150), "", "", "", "ERROR");
      log(`${label}: ${name} failed: ${(err as Error).stack}`);
    }
  };

  let tempDir: string | undefined;
  let schema: string | undefined;
  let url: string;
  if (kind === "sqlite") {
    tempDir = mkdtempSync(join(tmpdir(), "weft-bench-"));
    url = `file:${join(tempDir, "bench.db")}`;
    process.env.WEFT_SQLITE_SYNCHRONOUS = "FULL";
  } else {
    schema = `weft_bench_${randomBytes(4).toString("hex")}`;
    url = `${PG_URL}?schema=${schema}`;
  }
  notes.push(`${label}: load average at start ${load()}`);
  // What the activities observed belongs to this database's runs only.
  observed.stamps.clear();
  observed.ticks.clear();

  const engine = await Engine.open({ url });
  const children: WorkerProcess[] = [];
  let worker: Worker | undefined;
  try {
    if (kind === "sqlite") {
      const connection = (engine.db.driver as SqliteDriver).connection;
      const sync = connection.pragma("synchronous", { simple: true });
      const mode = connection.pragma("journal_mode", { simple: true });
      notes.push(`SQLite: ${url.slice(5)} journal_mode=${mode} synchronous=${sync === 2 ? "FULL" : sync}`);
    } else {
      const pgPool = (engine.db.driver as PostgresDriver).pool;
      const settings = await pgPool.query("SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fs, version() AS v");
      notes.push(`PostgreSQL: schema ${schema}, synchronous_commit=${settings.rows[0].sc} fsync=${settings.rows[0].fs}, ${String(settings.rows[0].v).split(" on ")[0]}`);
    }
    for (const doc of DOCUMENTS) await engine.deploy(doc);

    // Baselines through the raw driver, before any worker runs.
    const raw = await measureRaw(await rawDriver(engine));
    const rawFive50 = median(raw.five);
    const rawFive95 = percentile(raw.five, 95);

    const counter = countCommits(engine.db);
    worker = new Worker(engine, benchActivities(), { historyLimit: LOOP_HISTORY_LIMIT, log: (line) => log(`worker: ${line}`) });
    const done = watchCompletions(worker);
    await worker.start();
    const w = worker;

    // Warm-up: code paths, module cache, prepared statements, pool connections.
    {
      const target = done.count + 25;
      await Promise.all(Array.from({ length: 20 }, (_, i) => engine.start(THREE_STEPS.name, { workflowId: `warm-${i}` })));
      for (let i = 20; i < 25; i++) await engine.start(THREE_STEPS.name, { workflowId: `warm-${i}` });
      await done.until(target, 60_000, "the warm-up runs");
    }

    // 1. One 3-step run started alone.
    await phase("one 3-step run", async () => {
      const total: number[] = [];
      const afterStart: number[] = [];
      const startCall: number[] = [];
      for (let i = 0; i < LATENCY_RUNS; i++) {
        const target = done.count + 1;
        const t0 = performance.now();
        await engine.start(THREE_STEPS.name, { workflowId: `latency-${i}` });
        const t1 = performance.now();
        await done.until(target, 10_000, "a 3-step run");
        const t2 = performance.now();
        total.push(t2 - t0);
        afterStart.push(t2 - t1);
        startCall.push(t1 - t0);
      }
      const limit = kind === "sqlite" ? 5 : 10;
      add("3-step run alone, p50 (start() call → completed)", ms(median(total)), `${ms(rawFive50)} (5 raw commits)`, ratio(median(total), rawFive50), `≤ ${limit} ms`, verdict(median(total) <= limit));
      add("3-step run alone, p95", ms(percentile(total, 95)), `${ms(rawFive95)} (5 raw commits p95)`, ratio(percentile(total, 95), rawFive95), "", "");
      add("  of which start() call, p50", ms(median(startCall)), `${ms(rawFive50 / 5)} (1 raw commit)`, ratio(median(startCall), rawFive50 / 5), "", "");
      add("  start() returned → completed, p50 / p95", `${ms(median(afterStart))} / ${ms(percentile(afterStart, 95))}`, `${ms((rawFive50 * 4) / 5)} (4 raw commits)`, ratio(median(afterStart), (rawFive50 * 4) / 5), "", "");
    });

    // 2 + 3. 500 runs at once, one in-process worker.
    await phase("500 runs at once, 1 in-process worker", async () => {
      const before = { steps: w.stats.steps, ...w.commitStats, tx: counter.transactions, auto: counter.autocommitWrites };
      const target = done.count + BURST_RUNS;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: BURST_RUNS }, (_, i) => engine.start(THREE_STEPS.name, { workflowId: `burst1-${i}` })));
      const tStarted = performance.now();
      await done.until(target, 120_000, "500 runs");
      const seconds = (performance.now() - t0) / 1000;
      const steps = w.stats.steps - before.steps;
      const groupCommits = w.commitStats.commits - before.commits;
      const units = w.commitStats.units - before.units;
      const allCommits = counter.transactions - before.tx + counter.autocommitWrites - before.auto;
      add("1 worker in-process: runs/s", num(BURST_RUNS / seconds), `${num(raw.commitsPerSecond)} raw commits/s`, ratio(BURST_RUNS / seconds, raw.commitsPerSecond), "", "");
      add("1 worker in-process: steps/s", num(steps / seconds), `${num(raw.commitsPerSecond)} raw commits/s`, ratio(steps / seconds, raw.commitsPerSecond), "", "");
      add("  of which 500 start() calls took", ms(tStarted - t0), `${ms((BURST_RUNS * 1000) / raw.commitsPerSecond)} (500 raw commits)`, ratio(tStarted - t0, (BURST_RUNS * 1000) / raw.commitsPerSecond), "", "");
      add("1 worker: worker group commits per step", `${(groupCommits / steps).toFixed(3)} (${groupCommits} commits, ${(units / groupCommits).toFixed(1)} units each)`, "1 (a commit per step)", ratio(groupCommits, steps), "≤ 0.3", verdict(groupCommits / steps <= 0.3));
      add("1 worker: all commits per step (+claims, starts)", `${(allCommits / steps).toFixed(3)} (${allCommits} commits)`, "1", ratio(allCommits, steps), "≤ 0.3", verdict(allCommits / steps <= 0.3));
    });

    // 4b. Signal → the waiting run's next step.
    await phase("signal → next step", async () => {
      const latency: number[] = [];
      const call: number[] = [];
      for (let i = 0; i < SIGNAL_SAMPLES; i++) {
        const workflowId = `signal-${i}`;
        const { runId } = await engine.start(SIGNAL_THEN_STEP.name, { workflowId });
        await until(
          async () => (await engine.db.query("SELECT 1 AS x FROM history_event WHERE run_id = ? AND type = 'SignalWaitStarted'", [runId])).length > 0,
          10_000,
          "the run to wait for its signal",
          1,
        );
        const target = done.count + 1;
        const t0 = performance.now();
        await engine.signal(workflowId, "go", { i });
        call.push(performance.now() - t0);
        await done.until(target, 10_000, "the signalled run");
        latency.push(observed.stamps.get(workflowId)! - t0);
      }
      add("signal() call → next step starts, p50", ms(median(latency)), `${ms(rawFive50 / 5)} (1 raw commit)`, ratio(median(latency), rawFive50 / 5), "", "");
      add("signal() call → next step starts, p95", ms(percentile(latency, 95)), `${ms(rawFive95 / 5)} (1 raw commit, p95/5)`, ratio(percentile(latency, 95), rawFive95 / 5), "", "");
      add("  of which signal() call, p50", ms(median(call)), `${ms(rawFive50 / 5)} (1 raw commit)`, ratio(median(call), rawFive50 / 5), "", "");
    });

    // 6. The loop: the cost of an iteration early and late.
    await phase("loop iterations", async () => {
      const workflowId = "loop-1";
      const t0 = performance.now();
      await engine.start(LOOP.name, { workflowId, input: { n: LOOP_ITERATIONS } });
      await until(async () => (await engine.findRun(workflowId)).status === "completed", 240_000, "the loop to finish", 50);
      const seconds = (performance.now() - t0) / 1000;
      const ticks = observed.ticks.get(workflowId) ?? [];
      if (ticks.length < LOOP_ITERATIONS) throw new Error(`the loop ticked ${ticks.length} times, not ${LOOP_ITERATIONS}`);
      // iteration k (k ≥ 1) = the time from tick k to tick k+1 (ticks[k-1] → ticks[k])
      const iteration = (k: number) => ticks[k]! - ticks[k - 1]!;
      const window = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => iteration(from + i));
      const early = window(6, 15);
      const late = window(4996, 5005);
      const runs = await engine.db.query("SELECT COUNT(*) AS n, MAX(next_seq) AS longest FROM run WHERE workflow_id = ?", [workflowId]);
      // Means over 100 iterations that each hold one continue-as-new (the iteration in which a
      // run hands over to the next costs more): the 100 around the first one, and around the
      // last one before iteration 5,000.
      const handovers = (await engine.db.query<{ started_at: number }>("SELECT started_at FROM run WHERE workflow_id = ? ORDER BY started_at", [workflowId]))
        .slice(1)
        .map((r) => ticks.findIndex((t) => t >= Number(r.started_at) - performance.timeOrigin))
        .filter((k) => k > 60 && k < LOOP_ITERATIONS - 50);
      const first = handovers[0] ?? 60;
      const last = handovers.filter((k) => k <= 5000).at(-1) ?? 4950;
      const early100 = window(first - 50, first + 49);
      const late100 = window(last - 50, last + 49);
      add("loop: 5,000th iteration vs 10th (median of 10)", ms(median(late)), `${ms(median(early))} (10th)`, ratio(median(late), median(early)), "flat (≤ 1.5x)", verdict(median(late) / median(early) <= 1.5));
      add(
        `loop: 100 iterations around continue-as-new #${handovers.filter((k) => k <= 5000).length} vs #1 (mean)`,
        ms(mean(late100)),
        `${ms(mean(early100))} (#1, iterations ${first - 50}-${first + 49})`,
        ratio(mean(late100), mean(early100)),
        // Context for the figure above (which the target is about): means of 100 iterations
        // swing with collections and the machine's load more than medians do.
        "",
        "",
      );
      notes.push(
        `${label}: loop of ${LOOP_ITERATIONS} iterations in ${seconds.toFixed(1)} s (${num(LOOP_ITERATIONS / seconds)}/s), ${runs[0]!.n} runs (continue-as-new at history ${LOOP_HISTORY_LIMIT}), longest history ${Number(runs[0]!.longest) - 1} events`,
      );
    });

    // 5 + 4a. Worker memory with parked runs, then timer lateness when they fall due.
    await phase("parked runs and timers", async () => {
      // Parked = a timer task waits for it (or it already completed, should a timer fire early).
      const doneBefore = done.count;
      const timerTasks = async () => Number((await engine.db.query("SELECT COUNT(*) AS n FROM task WHERE kind = 'timer'"))[0]!.n) + (done.count - doneBefore);
      const baseTimers = await timerTasks();
      const mem0 = memory();
      // Calibration: how long starting and parking a run takes now (500 runs parked for an hour).
      const calibration = 500;
      const c0 = performance.now();
      await pool(calibration, 32, (i) => engine.start(ONE_TIMER.name, { workflowId: `calibrate-${i}`, input: { until: Date.now() + 3_600_000 } }));
      await until(async () => (await timerTasks()) >= baseTimers + calibration, 60_000, "calibration runs to park", 50);
      const perRun = (performance.now() - c0) / calibration;
      const lead = Math.ceil(perRun * PARKED_TIMERS * 1.4 + 2500);
      const base = Date.now() + lead;
      log(`${label}: parking ${PARKED_TIMERS} runs at ${perRun.toFixed(2)} ms each; first timer due in ${lead} ms`);
      const due = (i: number) => base + Math.floor((i * TIMER_SPREAD_MS) / PARKED_TIMERS);
      const target = done.count + PARKED_TIMERS;
      const half = PARKED_TIMERS / 2;
      const p0 = performance.now();
      await pool(half, 32, (i) => engine.start(ONE_TIMER.name, { workflowId: `timer-${i}`, input: { until: due(i) } }));
      await until(async () => (await timerTasks()) >= baseTimers + calibration + half, 60_000, "runs to park", 50);
      const memHalf = memory();
      await pool(half, 32, (i) => engine.start(ONE_TIMER.name, { workflowId: `timer-${half + i}`, input: { until: due(half + i) } }));
      await until(async () => (await timerTasks()) >= baseTimers + calibration + PARKED_TIMERS, 60_000, "runs to park", 50);
      const parkedAt = Date.now();
      const parkSeconds = (performance.now() - p0) / 1000;
      const memFull = memory();
      if (parkedAt > base) notes.push(`${label}: WARNING the last run parked ${parkedAt - base} ms after the first timer fell due`);
      const perParked = (memFull.heap - memHalf.heap) / half;
      add(
        "worker heap: 10,000 parked vs 0 (after GC)",
        `${mb(memFull.heap)} (5,000: ${mb(memHalf.heap)})`,
        `${mb(mem0.heap)} (0 parked)`,
        ratio(memFull.heap, mem0.heap),
        "flat",
        verdict(memFull.heap - memHalf.heap < 4 * 1048576),
      );
      add("  growth per parked run, 5,000 → 10,000", `${num(perParked)} B/run`, "", "", "≈ 0 (cache-bound)", "");
      add("worker RSS: 10,000 parked vs 0", `${mb(memFull.rss)} (5,000: ${mb(memHalf.rss)})`, `${mb(mem0.rss)} (0 parked)`, ratio(memFull.rss, mem0.rss), "", "");
      notes.push(`${label}: started and parked ${PARKED_TIMERS} timer runs in ${parkSeconds.toFixed(1)} s (${num(PARKED_TIMERS / parkSeconds)}/s); they fell due over ${TIMER_SPREAD_MS / 1000} s`);

      await done.until(target, lead + TIMER_SPREAD_MS + 120_000, "the timers to fire");
      const events = await engine.db.query<{ run_id: string; type: string; at: number; data: string }>(
        "SELECT h.run_id, h.type, h.at, h.data FROM history_event h JOIN run r ON r.run_id = h.run_id WHERE r.name = ? AND r.workflow_id LIKE 'timer-%' AND h.type IN ('TimerStarted', 'TimerFired')",
        [ONE_TIMER.name],
      );
      const dueAt = new Map<string, number>();
      const startedAt = new Map<string, number>();
      const firedAt = new Map<string, number>();
      for (const e of events) {
        if (e.type === "TimerStarted") {
          dueAt.set(e.run_id, (engine.codec.decode(e.data) as { dueAt: number }).dueAt);
          startedAt.set(e.run_id, Number(e.at));
        } else firedAt.set(e.run_id, Number(e.at));
      }
      const lateness: number[] = [];
      let startedLate = 0;
      for (const [runId, fired] of firedAt) {
        const d = dueAt.get(runId)!;
        if (startedAt.get(runId)! > d) {
          startedLate++;
          continue;
        }
        lateness.push(fired - d);
      }
      if (startedLate > 0) notes.push(`${label}: ${startedLate} timers were already due when they started; left out of the lateness`);
      const p99 = percentile(lateness, 99);
      add(
        `timer lateness p99 (${num(lateness.length)} timers, TimerFired.at − due)`,
        ms(p99),
        `${ms(rawFive50 / 5)} (1 raw commit)`,
        ratio(p99, rawFive50 / 5),
        "≤ 20 ms",
        verdict(p99 <= 20 && lateness.length >= PARKED_TIMERS * 0.95),
      );
      add("  timer lateness p50 / max", `${ms(median(lateness))} / ${ms(Math.max(...lateness))}`, "", "", "", "");
    });

    await worker.stop();
    worker = undefined;

    // 2 + 3 with 4 worker processes: first 500 runs queued before the workers start (what the
    // workers alone sustain), then 500 runs started at once while they run (end to end).
    await phase(`500 runs at once, ${WORKER_PROCESSES} worker processes`, async () => {
      const script = await bundleWorkerProcess();
      for (let i = 0; i < WORKER_PROCESSES; i++) children.push(new WorkerProcess(url, script));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(children.map((c) => c.ready)),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("worker processes did not start in 60 s")), 60_000))),
      ]).finally(() => clearTimeout(timer));
      const target = kind === "sqlite" ? 1500 : 1000;
      const completed = () => children.reduce((n, c) => n + c.completed, 0);
      const sumStats = (stats: ChildStats[], f: (s: ChildStats) => number) => stats.reduce((n, s) => n + f(s), 0);
      const diff = (a: ChildStats[], b: ChildStats[], f: (s: ChildStats) => number) => sumStats(b, f) - sumStats(a, f);

      // Warm-up, as for the in-process worker: code paths compiled, statements prepared, pool
      // connections open, before anything is measured.
      for (const c of children) c.go();
      for (let round = 0; round < WARM_ROUNDS; round++) {
        await Promise.all(Array.from({ length: BURST_RUNS }, (_, i) => engine.start(THREE_STEPS.name, { workflowId: `warm4-${round}-${i}` })));
        await until(() => completed() >= (round + 1) * BURST_RUNS, 120_000, "the warm-up runs on 4 workers", 2);
      }
      await Promise.all(children.map((c) => c.pause()));

      // The measured part, REPEATS times; each figure is the median of its rounds (this host's
      // speed drifts from one second to the next), printed with the range.
      type Round = {
        queuedStart: number; drainSeconds: number; drainSteps: number; drainCpu: number;
        seconds: number; startCalls: number; steps: number; groupCommits: number; units: number; allCommits: number; burstCpu: number;
        s0: ChildStats[]; s1: ChildStats[]; s2: ChildStats[];
      };
      const rounds: Round[] = [];
      let done = WARM_ROUNDS * BURST_RUNS;
      for (let round = 0; round < REPEATS; round++) {
        // Queued: starting 500 runs with no worker running is the API alone.
        const q0 = performance.now();
        await Promise.all(Array.from({ length: BURST_RUNS }, (_, i) => engine.start(THREE_STEPS.name, { workflowId: `queued4-${round}-${i}` })));
        const queuedStart = performance.now() - q0;
        const s0 = await Promise.all(children.map((c) => c.stats()));
        const t0 = performance.now();
        for (const c of children) c.go();
        done += BURST_RUNS;
        await until(() => completed() >= done, 120_000, "500 queued runs on 4 workers", 2);
        const drainSeconds = (performance.now() - t0) / 1000;
        const s1 = await Promise.all(children.map((c) => c.stats()));

        // End to end: the clock runs from the first start() call to the last completion.
        const startTx = counter.transactions;
        const e0 = performance.now();
        await Promise.all(Array.from({ length: BURST_RUNS }, (_, i) => engine.start(THREE_STEPS.name, { workflowId: `burst4-${round}-${i}` })));
        const tStarted = performance.now();
        done += BURST_RUNS;
        await until(() => completed() >= done, 120_000, "500 runs on 4 workers", 2);
        const seconds = (performance.now() - e0) / 1000;
        const starts = counter.transactions - startTx;
        const s2 = await Promise.all(children.map((c) => c.pause()));
        rounds.push({
          queuedStart, drainSeconds, drainSteps: diff(s0, s1, (s) => s.steps), drainCpu: diff(s0, s1, (s) => s.cpuMs),
          seconds, startCalls: tStarted - e0, steps: diff(s1, s2, (s) => s.steps), groupCommits: diff(s1, s2, (s) => s.groupCommits),
          units: diff(s1, s2, (s) => s.units), allCommits: diff(s1, s2, (s) => s.transactions + s.autocommitWrites) + starts, burstCpu: diff(s1, s2, (s) => s.cpuMs),
          s0, s1, s2,
        });
      }
      const stopped = await Promise.all(children.map((c) => c.stop()));
      children.length = 0;
      // The round whose end-to-end figure is the median stands for the others in the notes.
      const byRate = [...rounds].sort((a, b) => a.seconds - b.seconds);
      const mid = byRate[Math.floor(byRate.length / 2)]!;
      const { s0, s1, s2, drainSeconds, drainSteps, drainCpu, seconds, steps, groupCommits, units, allCommits, burstCpu } = mid;
      const span = (f: (r: Round) => number) => {
        const values = rounds.map(f);
        return rounds.length > 1 ? ` (${num(Math.min(...values))}-${num(Math.max(...values))} in ${rounds.length} rounds)` : "";
      };
      const e2eRate = median(rounds.map((r) => BURST_RUNS / r.seconds));
      const drainRate = median(rounds.map((r) => BURST_RUNS / r.drainSeconds));

      add(`${WORKER_PROCESSES} worker processes: runs/s, end to end`, `${num(e2eRate)}${span((r) => BURST_RUNS / r.seconds)}`, `${num(raw.commitsPerSecond)} raw commits/s`, ratio(e2eRate, raw.commitsPerSecond), `≥ ${num(target)}/s`, verdict(e2eRate >= target));
      const e2eStepRate = median(rounds.map((r) => r.steps / r.seconds));
      add(`${WORKER_PROCESSES} worker processes: steps/s, end to end`, num(e2eStepRate), `${num(raw.commitsPerSecond)} raw commits/s`, ratio(e2eStepRate, raw.commitsPerSecond), "", "");
      const startCalls = median(rounds.map((r) => r.startCalls));
      add("  of which 500 start() calls took (workers running)", ms(startCalls), `${ms((BURST_RUNS * 1000) / raw.commitsPerSecond)} (500 raw commits)`, ratio(startCalls, (BURST_RUNS * 1000) / raw.commitsPerSecond), "", "");
      add(`${WORKER_PROCESSES} worker processes: runs/s, 500 queued runs`, `${num(drainRate)}${span((r) => BURST_RUNS / r.drainSeconds)}`, `${num(raw.commitsPerSecond)} raw commits/s`, ratio(drainRate, raw.commitsPerSecond), "context: the target is end to end", "");
      const drainStepRate = median(rounds.map((r) => r.drainSteps / r.drainSeconds));
      add(`${WORKER_PROCESSES} worker processes: steps/s, 500 queued runs`, num(drainStepRate), `${num(raw.commitsPerSecond)} raw commits/s`, ratio(drainStepRate, raw.commitsPerSecond), "", "");
      const queuedStart = median(rounds.map((r) => r.queuedStart));
      add("  500 start() calls with no worker running took", ms(queuedStart), `${ms((BURST_RUNS * 1000) / raw.commitsPerSecond)} (500 raw commits)`, ratio(queuedStart, (BURST_RUNS * 1000) / raw.commitsPerSecond), "", "");
      add(`${WORKER_PROCESSES} workers: worker group commits per step`, `${(groupCommits / steps).toFixed(3)} (${groupCommits} commits, ${(units / groupCommits).toFixed(1)} units each)`, "1 (a commit per step)", ratio(groupCommits, steps), "≤ 0.3", verdict(groupCommits / steps <= 0.3));
      add(`${WORKER_PROCESSES} workers: all commits per step (+claims, starts)`, `${(allCommits / steps).toFixed(3)} (${allCommits} commits)`, "1", ratio(allCommits, steps), "≤ 0.3", verdict(allCommits / steps <= 0.3));
      notes.push(
        `${label}: CPU used by the ${WORKER_PROCESSES} worker processes (in the round of the median end-to-end figure, as below): ${num(drainCpu)} ms over the ${num(drainSeconds * 1000)} ms of the queued runs (${num(drainCpu / drainSeconds / 10)}% of one core), ${num(burstCpu)} ms over the ${num(seconds * 1000)} ms of the end-to-end burst`,
      );
      if (kind === "sqlite") {
        const slow = new Map<string, { count: number; ms: number }>();
        for (const st of stopped) {
          for (const [sql, e] of Object.entries(st.slowStatements)) {
            const total = slow.get(sql) ?? { count: 0, ms: 0 };
            total.count += e.count;
            total.ms += e.ms;
            slow.set(sql, total);
          }
        }
        const top = [...slow.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4);
        notes.push(`${label}: worker processes' statements over 1 ms (lock waits, fsyncs), whole phase: ${top.map(([sql, e]) => `"${sql}…" ${e.count}x ${num(e.ms)} ms`).join("; ")}`);
      }
      notes.push(
        `${label}: end-to-end burst per worker process (steps / group commits / claims+renewals that changed rows / claim statements / runs loaded): ${s2.map((s, i) => `${s.steps - s1[i]!.steps}/${s.groupCommits - s1[i]!.groupCommits}/${s.autocommitWrites - s1[i]!.autocommitWrites}/${s.claims - s1[i]!.claims}/${s.loads - s1[i]!.loads}`).join(", ")}`,
        `${label}: queued runs per worker process (the same): ${s1.map((s, i) => `${s.steps - s0[i]!.steps}/${s.groupCommits - s0[i]!.groupCommits}/${s.autocommitWrites - s0[i]!.autocommitWrites}/${s.claims - s0[i]!.claims}/${s.loads - s0[i]!.loads}`).join(", ")}`,
      );
    });

    // The command.
    await phase("weft start / signal / describe", async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url };
      delete env.WEFT_FROM_SOURCE;
      if (!cliBundleIsFresh()) {
        notes.push("the CLI bundle (dist/cli) was older than the sources: rebuilt it with scripts/build-cli.mjs before measuring");
        const build = await new Promise<number | null>((resolve) => spawn(process.execPath, [join(ROOT, "scripts/build-cli.mjs")], { cwd: ROOT, stdio: "inherit" }).on("exit", resolve));
        if (build !== 0) throw new Error("scripts/build-cli.mjs failed");
      }
      const times: Record<string, number[]> = { start: [], signal: [], describe: [] };
      const check = (r: { code: number | null; stderr: string }, what: string) => {
        if (r.code !== 0) throw new Error(`weft ${what} exited with ${r.code}: ${r.stderr.trim()}`);
      };
      check(await runCli(["list", "--limit", "1", "--json"], env), "list"); // warm the file cache
      for (let i = 0; i < CLI_RUNS; i++) {
        const id = `cli-${i}`;
        let r = await runCli(["start", SIGNAL_THEN_STEP.name, "--id", id, "--json"], env);
        check(r, "start");
        times.start!.push(r.ms);
        r = await runCli(["signal", id, "go", "--payload", "{}", "--json"], env);
        check(r, "signal");
        times.signal!.push(r.ms);
        r = await runCli(["describe", id, "--json"], env);
        check(r, "describe");
        times.describe!.push(r.ms);
      }
      const nodeOnly: number[] = [];
      for (let i = 0; i < CLI_RUNS; i++) {
        const t0 = performance.now();
        await new Promise((resolve) => spawn(process.execPath, ["-e", "0"], { stdio: "ignore" }).on("exit", resolve));
        nodeOnly.push(performance.now() - t0);
      }
      const bare = median(nodeOnly);
      for (const command of ["start", "signal", "describe"]) {
        const t = times[command]!;
        add(`weft ${command}: p50 (spawn → exit)`, `${ms(median(t))} (max ${ms(Math.max(...t))})`, `${ms(bare)} (node -e 0)`, ratio(median(t), bare), "< 500 ms", verdict(median(t) < 500));
      }
    });
  } finally {
    for (const c of children) c.kill();
    if (worker) await worker.stop().catch(() => {});
    await engine.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    if (schema) {
      const client = new pg.Client(PG_URL);
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    }
    notes.push(`${label}: load average at end ${load()}`);
  }
}

// ------------------------------------------------------------------------------------------------

function printTable(rows: ResultRow[]): void {
  const headers: ResultRow = { db: "DB", figure: "Figure", value: "Weft", baseline: "Baseline (same run)", ratio: "Ratio", target: "Target", verdict: "" };
  const keys = Object.keys(headers) as (keyof ResultRow)[];
  const widths = keys.map((k) => Math.max(headers[k].length, ...rows.map((r) => r[k].length)));
  const line = (r: ResultRow) => keys.map((k, i) => r[k].padEnd(widths[i]!)).join(" | ").trimEnd();
  console.log(line({ ...headers, verdict: "Result" as ResultRow["verdict"] }));
  console.log(widths.map((w) => "-".repeat(w)).join("-+-"));
  let previous = "";
  for (const r of rows) {
    if (previous && r.db !== previous) console.log(widths.map((w) => "-".repeat(w)).join("-+-"));
    previous = r.db;
    console.log(line(r));
  }
}

export async function main(args: string[] = []): Promise<void> {
  const only = (process.env.WEFT_BENCH_DB ?? args.find((a) => a === "sqlite" || a === "postgresql")) as Kind | undefined;
  const kinds: Kind[] = only ? [only] : ["sqlite", "postgresql"];
  const rows: ResultRow[] = [];
  const notes: string[] = [`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, load average ${load()}`];
  const t0 = performance.now();
  for (const kind of kinds) {
    try {
      await benchDatabase(kind, rows, notes);
    } catch (err) {
      rows.push({ db: kind, figure: "setup", value: `ERROR: ${(err as Error).message}`, baseline: "", ratio: "", target: "", verdict: "ERROR" });
      log((err as Error).stack ?? String(err));
    }
  }
  console.log("\nWeft engine benchmark: each figure beside a baseline measured in the same run through the raw driver");
  console.log("(better-sqlite3 prepared INSERT in autocommit / pg pool.query INSERT; one connection, sequential).\n");
  printTable(rows);
  console.log("");
  for (const n of notes) console.log(`- ${n}`);
  console.log(`- total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const misses = rows.filter((r) => r.verdict === "MISS" || r.verdict === "ERROR").length;
  console.log(misses === 0 ? "\nall targets met" : `\n${misses} figure(s) missed their target or failed`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv.slice(2));
}
