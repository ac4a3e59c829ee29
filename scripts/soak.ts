// The crash soak: `npm run soak` (not part of `npm test`; test/engine/crash-soak.test.ts runs a
// short version of it). On a fresh SQLite file and a fresh PostgreSQL schema in turn, several
// `weft worker` processes run hundreds of runs that do steps, wait for signals and sleep, while
// this process SIGKILLs a worker at random moments (starting another in its place) until
// hundreds of kills are done. Then it checks what a durable engine promises:
//
// - every run completes, with the payloads of the signals it was sent;
// - every acknowledged signal is received once (and nothing else is received);
// - no step is recorded twice (one completion per step, one outcome per attempt);
// - no step runs again after its completion was recorded (each attempt reads the history as it
//   starts: scripts/soak-plugin.mjs);
// - every crash is an attempt in the history: no attempt number starts twice, and an attempt
//   that started on a killed worker without completing is recorded as failed with WorkerLost;
//
// and prints the kills, the re-executions (attempts beyond the first of each step), the
// violations (0), and the time from each kill to the dead worker's runs moving on (the last of
// the WorkerLost failures naming it being recorded), as p50 and p99.
//
//   npm run soak                                   both databases, 300 runs and 200 kills each
//   npm run soak -- --db sqlite --runs 100 --kills 50 --workers 4
//
// The workers run a bundle of the `weft` command built for the soak (dist/soak-<pid>/), so that
// hundreds of worker starts each take a fraction of a second, whatever the state of dist/cli.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Engine } from "../engine/engine.ts";
import type { RecordedEvent } from "../engine/runtime/events.ts";
import { processGone } from "../engine/worker/liveness.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SOAK_PLUGIN = join(ROOT, "scripts/soak-plugin.mjs");
const PG_URL = process.env.WEFT_SOAK_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export type SoakDb = "sqlite" | "postgresql";

export interface SoakOptions {
  db: SoakDb;
  /** Runs started at least (more while kills are still to be done). */
  runs: number;
  /** SIGKILLs to deliver. */
  kills: number;
  /** Worker processes kept running. */
  workers: number;
  /** Runs open at once. */
  inFlight?: number;
  /** A kill every minMs to maxMs (uniformly at random). */
  killEveryMs?: [number, number];
  /** How long an attempt of a step takes, at random in this range. */
  stepMs?: [number, number];
  /** How long to wait for every run to end once the kills are done. */
  settleMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  db: SoakDb;
  runs: number;
  completed: number;
  signals: number;
  kills: number;
  /** Attempts started (lines in the activity log). */
  attempts: number;
  /** Attempts beyond the first of each step: the work crashes made run again. */
  reExecutions: number;
  /** Attempts recorded as lost with their worker. */
  workerLost: number;
  /** Per kill of a worker that held attempts: ms from the kill to the last of them being recorded lost. */
  takeoverMs: number[];
  violations: string[];
  seconds: number;
}

/** The soak's workflow: steps, two signals and a timer between them. */
const SOAK_DOC = (stepMs: [number, number]) => {
  const step = (id: string) => ({
    id,
    type: "step",
    activity: "soak.work",
    input: { minMs: stepMs[0], maxMs: stepMs[1] },
    output: id,
    // Unlimited attempts: every run must end, whatever the kills. A short backoff keeps the soak brisk.
    retry: { initialInterval: "100ms", backoffCoefficient: 2, maximumInterval: "1s" },
    timeout: "30s",
  });
  const nodes = [
    { id: "start", type: "start" },
    step("a"),
    { id: "go", type: "signal", signal: "go", output: "g" },
    step("b"),
    { id: "nap", type: "timer", duration: "100ms" },
    step("c"),
    { id: "fin", type: "signal", signal: "finish", output: "f" },
    step("d"),
    { id: "end", type: "end", result: { g: "=g", f: "=f" } },
  ];
  const order = nodes.map((n) => n.id);
  return { name: "soak", nodes, edges: order.slice(1).map((target, i) => ({ id: `e${i + 1}`, source: order[i]!, target })) };
};
const STEPS = ["a", "b", "c", "d"];

// ------------------------------------------------------------------------------------------------
// Worker processes on a bundle of the `weft` command

let bundle: Promise<string> | undefined;

const soakCliDir = () => join(ROOT, "dist", `soak-${process.pid}`);

/**
 * Bundles the command for the soak's workers, as scripts/build-cli.mjs does for dist/cli but in
 * a folder of this process (two levels under the root, as dist/cli is: the bundle finds the
 * migrations at ../../prisma). Removed by removeSoakCli, or when this process exits; those of
 * processes that are gone are removed here.
 */
export function soakCli(): Promise<string> {
  bundle ??= (async () => {
    const { build } = await import("esbuild");
    for (const entry of existsSync(join(ROOT, "dist")) ? readdirSync(join(ROOT, "dist")) : []) {
      const pid = /^soak-(\d+)$/.exec(entry)?.[1];
      if (pid && Number(pid) !== process.pid && processGone(Number(pid), Date.now())) rmSync(join(ROOT, "dist", entry), { recursive: true, force: true });
    }
    const outdir = soakCliDir();
    await build({
      entryPoints: [join(ROOT, "engine/cli/main.ts")],
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      logLevel: "warning",
    });
    const launcher = join(outdir, "weft.mjs");
    writeFileSync(launcher, `const { main } = await import(${JSON.stringify(pathToFileURL(join(outdir, "main.js")).href)});\nprocess.exitCode = await main(process.argv.slice(2));\n`);
    process.once("exit", removeSoakCli);
    return launcher;
  })();
  return bundle;
}

export function removeSoakCli(): void {
  rmSync(soakCliDir(), { recursive: true, force: true });
  bundle = undefined;
}

class SoakWorker {
  readonly proc: ChildProcess;
  stderr = "";
  /** When this process said it took over a dead worker's work (for SOAK_DEBUG): worker id → ms. */
  readonly tookOver = new Map<string, number>();
  id: string | undefined;
  exited = false;
  /** Sent SIGKILL (its exit may be seen a little later). */
  killed = false;
  readonly ready: Promise<void>;

  constructor(launcher: string, env: NodeJS.ProcessEnv, label: string) {
    this.proc = spawn(process.execPath, [launcher, "worker", "--activities", SOAK_PLUGIN, "--concurrency", "20"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    this.ready = new Promise((resolveReady, reject) => {
      this.proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
        this.stderr = (this.stderr + chunk).slice(-20_000);
        for (const m of chunk.matchAll(/worker (\S+) is gone/g)) if (!this.tookOver.has(m[1]!)) this.tookOver.set(m[1]!, Date.now());
        const m = /weft worker (\S+): \d+ activities/.exec(this.stderr);
        if (m && !this.id) {
          this.id = m[1]!.replace(/:$/, "");
          resolveReady();
        }
      });
      this.proc.on("exit", (code, signal) => {
        this.exited = true;
        if (!this.id) reject(new Error(`worker ${label} exited (${code ?? signal}) before it was ready:\n${this.stderr}`));
      });
    });
    this.ready.catch(() => {});
  }

  get pid(): number {
    return this.proc.pid!;
  }
}

// ------------------------------------------------------------------------------------------------
// The soak

interface LogLine {
  workflowId: string;
  runId: string;
  nodeId: string;
  attempt: number;
  pid: number;
  event: "start" | "end";
  at: number;
  afterCompletion?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const between = ([min, max]: [number, number]) => min + Math.random() * (max - min);

export async function soak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const began = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `weft-soak-${options.db}-`));
  const schema = `weft_soak_${process.pid}_${randomBytes(3).toString("hex")}`;
  const url = options.db === "sqlite" ? `file:${join(dir, "soak.db")}` : `${PG_URL}?schema=${schema}`;
  const activityLog = join(dir, "activities.jsonl");
  const launcher = await soakCli();
  const engine = await Engine.open({ url });
  const workers: SoakWorker[] = [];
  try {
    const stepMs = options.stepMs ?? [30, 300];
    await engine.deploy(SOAK_DOC(stepMs));
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, SOAK_LOG: activityLog, NO_COLOR: "1" };
    // The workers' own defaults (a 10 s lease, no codec key): what is measured is how soon a
    // dead worker is noticed, not a lease shortened for the occasion.
    for (const key of Object.keys(env)) if (key.startsWith("WEFT_")) delete env[key];
    let spawned = 0;
    const spawnWorker = () => {
      const w = new SoakWorker(launcher, env, `#${++spawned}`);
      workers.push(w);
      return w;
    };
    for (let i = 0; i < options.workers; i++) spawnWorker();
    await Promise.all(workers.map((w) => w.ready));

    // Runs, kept `inFlight` open at a time; each gets its two signals at random moments
    // (before or after it waits for them).
    const sent = new Map<string, { go: string; finish: string }>();
    const acked: { workflowId: string; name: string; nonce: string }[] = [];
    const openRuns = async () => Number((await engine.db.query("SELECT COUNT(*) AS n FROM run WHERE status = 'running'"))[0]!.n);
    const pendingSignals: Promise<void>[] = [];
    let started = 0;
    let killing = true;
    const signalLater = (workflowId: string, name: "go" | "finish", nonce: string, delay: number) =>
      pendingSignals.push(
        (async () => {
          await sleep(delay);
          for (let attempt = 0; ; attempt++) {
            try {
              await engine.signal(workflowId, name, { nonce });
              acked.push({ workflowId, name, nonce });
              return;
            } catch (err) {
              // Not acknowledged: sent again (only acknowledged signals must arrive).
              if (attempt >= 20) throw err;
              await sleep(100);
            }
          }
        })(),
      );
    const starter = (async () => {
      const inFlight = options.inFlight ?? 40;
      while (started < options.runs || killing) {
        if ((await openRuns()) >= inFlight) {
          await sleep(100);
          continue;
        }
        const workflowId = `soak-${started++}`;
        const nonces = { go: randomBytes(4).toString("hex"), finish: randomBytes(4).toString("hex") };
        sent.set(workflowId, nonces);
        for (let attempt = 0; ; attempt++) {
          try {
            await engine.start("soak", { workflowId, input: {} });
            break;
          } catch (err) {
            // Started after all (the answer was lost), or a passing error: tried again.
            if ((err as { code?: string }).code === "CONFLICT") break;
            if (attempt >= 20) throw err;
            await sleep(100);
          }
        }
        signalLater(workflowId, "go", nonces.go, between([0, 800]));
        signalLater(workflowId, "finish", nonces.finish, between([200, 2500]));
        await sleep(between([5, 40]));
      }
    })();

    // The kills: a live, registered worker at random, every so often; another takes its place.
    // Never the last one running: what is measured is how soon the live workers take over a
    // dead one's work, not how long a new process takes to start.
    const kills: { pid: number; workerId: string; at: number }[] = [];
    const killEvery = options.killEveryMs ?? [150, 600];
    while (kills.length < options.kills) {
      await sleep(between(killEvery));
      const candidates = workers.filter((w) => !w.exited && !w.killed && w.id !== undefined);
      if (candidates.length < 2) continue;
      const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
      const at = Date.now();
      victim.killed = true;
      victim.proc.kill("SIGKILL");
      kills.push({ pid: victim.pid, workerId: victim.id!, at });
      spawnWorker();
      if (kills.length % 25 === 0) log(`  ${options.db}: ${kills.length} kills, ${started} runs started`);
    }
    killing = false;
    await starter;

    // Every run must end.
    const deadline = Date.now() + (options.settleMs ?? 120_000);
    const ids = [...sent.keys()];
    const ended = new Map<string, Awaited<ReturnType<Engine["describe"]>>>();
    while ((await openRuns()) > 0 && Date.now() < deadline) await sleep(250);
    for (const id of ids) {
      const d = await engine.describe(id);
      if (d.status !== "running") ended.set(id, d);
    }
    await Promise.allSettled(pendingSignals);

    // The checks.
    const violations: string[] = [];
    if (process.env.SOAK_DEBUG) {
      for (const id of ids) {
        const d = ended.get(id);
        if (d) continue;
        const run = (await engine.db.query("SELECT run_id FROM run WHERE workflow_id = ? AND status = 'running'", [id]))[0];
        log(`stuck ${id}: ${JSON.stringify(await engine.describe(id))}`);
        log(`  tasks: ${JSON.stringify(await engine.db.query("SELECT * FROM task WHERE run_id = ?", [String(run?.run_id ?? "")]))}`);
        log(`  signals: ${JSON.stringify(await engine.db.query("SELECT * FROM signal WHERE run_id = ?", [String(run?.run_id ?? "")]))}`);
        for (const e of await engine.history(id)) log(`  ${JSON.stringify(e)}`);
        log(`  workers: ${JSON.stringify(await engine.db.query("SELECT id, pid, heartbeat_at FROM worker"))}`);
      }
      log(workers.map((w) => `--- ${w.id} ${w.exited ? "exited" : ""}\n${w.stderr.slice(-3000)}`).join("\n"));
    }
    const lines = existsSync(activityLog)
      ? readFileSync(activityLog, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l) as LogLine)
      : [];
    const starts = lines.filter((l) => l.event === "start");
    const killedPids = new Set(kills.map((k) => k.pid));
    const killedIds = new Set(kills.map((k) => k.workerId));
    const histories = new Map<string, RecordedEvent[]>();
    for (const id of ids) histories.set(id, await engine.history(id));
    let completed = 0;
    let workerLost = 0;
    const lostAt = new Map<string, number[]>(); // worker id → when its attempts were recorded lost
    const allSignalIds = new Set<number>();
    for (const id of ids) {
      const d = ended.get(id);
      const h = histories.get(id)!;
      const nonces = sent.get(id)!;
      if (!d) violations.push(`${id} did not end within the settle time`);
      else if (d.status !== "completed") violations.push(`${id} ended ${d.status}: ${JSON.stringify(d.error)}`);
      else {
        completed++;
        const r = d.result as { g?: { nonce?: string }; f?: { nonce?: string } } | undefined;
        if (r?.g?.nonce !== nonces.go || r?.f?.nonce !== nonces.finish) violations.push(`${id} completed with ${JSON.stringify(r)}, not the signals sent (${JSON.stringify(nonces)})`);
      }
      for (const e of h) {
        if (e.type === "SignalReceived") {
          if (e.signalId !== undefined) {
            if (allSignalIds.has(e.signalId)) violations.push(`${id}: signal ${e.signalId} received twice`);
            allSignalIds.add(e.signalId);
          }
        }
      }
      for (const step of STEPS) {
        const done = h.filter((e) => e.type === "ActivityCompleted" && e.nodeId === step);
        if (d?.status === "completed" && done.length !== 1) violations.push(`${id}: step ${step} recorded completed ${done.length} times`);
        const outcomes = h.filter((e): e is Extract<RecordedEvent, { type: "ActivityCompleted" | "ActivityFailed" }> => (e.type === "ActivityCompleted" || e.type === "ActivityFailed") && e.nodeId === step);
        const byAttempt = new Map<number, number>();
        for (const e of outcomes) byAttempt.set(e.attempt, (byAttempt.get(e.attempt) ?? 0) + 1);
        for (const [attempt, n] of byAttempt) if (n > 1) violations.push(`${id}: attempt ${attempt} of step ${step} has ${n} outcomes recorded`);
        for (const e of outcomes) {
          if (e.type === "ActivityFailed" && e.error.type === "WorkerLost") {
            workerLost++;
            const named = /^worker (\S+) was lost/.exec(e.error.message)?.[1];
            if (!named || !killedIds.has(named)) violations.push(`${id}: attempt ${e.attempt} of ${step} recorded lost with worker ${named}, which was never killed`);
            else lostAt.set(named, [...(lostAt.get(named) ?? []), e.at]);
          }
        }
      }
    }
    const received = [...histories.values()].flat().filter((e) => e.type === "SignalReceived") as Extract<RecordedEvent, { type: "SignalReceived" }>[];
    for (const a of acked) {
      const got = (histories.get(a.workflowId) ?? []).filter((e) => e.type === "SignalReceived" && e.signal === a.name && (e.payload as { nonce?: string })?.nonce === a.nonce);
      if (got.length !== 1) violations.push(`${a.workflowId}: the acknowledged signal ${a.name} ${a.nonce} was received ${got.length} times`);
    }
    if (received.length !== acked.length) violations.push(`${received.length} signals received, ${acked.length} acknowledged`);

    // Attempts: each attempt number of a step starts at most once (a crash that was not counted
    // would start the same attempt again), never after the step's completion was recorded, and
    // each has its outcome in the history: completed, failed, or lost with its worker.
    const idOfPid = new Map(workers.map((w) => [w.pid, w.id]));
    const seen = new Map<string, LogLine>();
    const steps = new Set<string>();
    for (const s of starts) {
      const key = `${s.runId}/${s.nodeId}/${s.attempt}`;
      steps.add(`${s.runId}/${s.nodeId}`);
      if (seen.has(key)) violations.push(`${s.workflowId}: attempt ${s.attempt} of step ${s.nodeId} started twice (pids ${seen.get(key)!.pid} and ${s.pid}): a crash was not counted`);
      seen.set(key, s);
      if (s.afterCompletion) violations.push(`${s.workflowId}: step ${s.nodeId} ran again (attempt ${s.attempt}, pid ${s.pid}) after its completion was recorded`);
      const h = histories.get(s.workflowId) ?? [];
      const outcome = h.find((e) => (e.type === "ActivityCompleted" || e.type === "ActivityFailed") && e.nodeId === s.nodeId && e.attempt === s.attempt);
      if (!outcome) violations.push(`${s.workflowId}: attempt ${s.attempt} of step ${s.nodeId} (pid ${s.pid}) has no outcome in the history`);
      else if (outcome.type === "ActivityFailed" && outcome.error.type !== "WorkerLost") violations.push(`${s.workflowId}: attempt ${s.attempt} of ${s.nodeId} failed: ${outcome.error.type}: ${outcome.error.message}`);
      else if (outcome.type === "ActivityFailed" && !killedPids.has(s.pid)) violations.push(`${s.workflowId}: attempt ${s.attempt} of ${s.nodeId} ran on pid ${s.pid}, never killed, yet was recorded lost`);
      else if (outcome.type === "ActivityFailed" && !outcome.error.message.startsWith(`worker ${idOfPid.get(s.pid)} `)) {
        violations.push(`${s.workflowId}: attempt ${s.attempt} of ${s.nodeId} ran on ${idOfPid.get(s.pid)} but was recorded lost with another: ${outcome.error.message}`);
      }
    }

    const takeoverMs: number[] = [];
    for (const k of kills) {
      if (process.env.SOAK_DEBUG) {
        const seenGone = workers.map((w) => w.tookOver.get(k.workerId)).filter((t) => t !== undefined).map((t) => t! - k.at);
        log(`kill ${k.workerId} at ${k.at}: taken over after ${seenGone.join(", ")} ms; its attempts recorded lost after ${(lostAt.get(k.workerId) ?? []).map((t) => t - k.at).join(", ")} ms`);
      }
      const times = lostAt.get(k.workerId);
      if (times && times.length > 0) takeoverMs.push(Math.max(...times) - k.at);
    }
    if (process.env.SOAK_DEBUG) {
      for (const id of new Set(violations.map((v) => /^(soak-\d+)/.exec(v)?.[1]).filter((id) => id !== undefined))) {
        log(`history of ${id}:`);
        for (const e of histories.get(id!) ?? []) log(`  ${JSON.stringify(e)}`);
        log(`  log lines: ${JSON.stringify(lines.filter((l) => l.workflowId === id))}`);
      }
    }
    return {
      db: options.db,
      runs: ids.length,
      completed,
      signals: acked.length,
      kills: kills.length,
      attempts: starts.length,
      reExecutions: starts.length - steps.size,
      workerLost,
      takeoverMs: takeoverMs.sort((a, b) => a - b),
      violations,
      seconds: (Date.now() - began) / 1000,
    };
  } finally {
    for (const w of workers) if (!w.exited) w.proc.kill("SIGKILL");
    await Promise.all(workers.filter((w) => !w.exited).map((w) => new Promise((r) => w.proc.once("exit", r))));
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
    if (options.db === "postgresql") {
      const { default: pg } = await import("pg");
      const client = new pg.Client(PG_URL);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
    }
  }
}

export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function formatReport(r: SoakReport): string {
  const ms = (v: number | undefined) => (v === undefined ? "n/a" : `${Math.round(v)} ms`);
  return [
    `${r.db}: ${r.runs} runs (${r.completed} completed), ${r.signals} signals acknowledged, ${r.kills} kills in ${r.seconds.toFixed(0)} s`,
    `  attempts started ${r.attempts}, re-executions ${r.reExecutions}, attempts recorded lost (WorkerLost) ${r.workerLost}`,
    `  kill to the dead worker's runs moving on (${r.takeoverMs.length} kills that held attempts): p50 ${ms(percentile(r.takeoverMs, 50))}, p99 ${ms(percentile(r.takeoverMs, 99))}, max ${ms(r.takeoverMs.at(-1))}`,
    `  violations ${r.violations.length}${r.violations.length > 0 ? `:\n${r.violations.slice(0, 30).map((v) => `    ${v}`).join("\n")}` : ""}`,
  ].join("\n");
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const dbs: SoakDb[] = arg("db", "both") === "both" ? ["sqlite", "postgresql"] : [arg("db", "sqlite") as SoakDb];
  const runs = Number(arg("runs", "300"));
  const kills = Number(arg("kills", "200"));
  const workers = Number(arg("workers", "4"));
  let failed = false;
  for (const db of dbs) {
    console.log(`crash soak on ${db}: ${runs} runs or more, ${kills} SIGKILLs, ${workers} worker processes`);
    const report = await soak({ db, runs, kills, workers });
    console.log(formatReport(report));
    const p99 = percentile(report.takeoverMs, 99);
    console.log(`  ${p99 !== undefined && p99 <= 2000 ? "PASS" : "MISS"}  takeover p99 within 2 s`);
    if (report.violations.length > 0 || report.completed !== report.runs) failed = true;
  }
  removeSoakCli();
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main(process.argv.slice(2));
}
