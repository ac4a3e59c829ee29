// Helpers for the engine's integration tests: a throwaway database (a fresh SQLite file in a
// temp directory, or a fresh schema on the real PostgreSQL), real `weft worker` processes
// spawned on it, the `weft` command as a child process, and polling with a deadline.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "../../engine/engine.ts";
import type { Description, PendingItem } from "../../engine/run-views.ts";
import { freshDatabases } from "./fresh-databases.ts";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const WEFT_BIN = join(ROOT, "bin/weft.mjs");
export const DEMO_PLUGIN = join(ROOT, "plugins/demo.mjs");
export const TESTING_PLUGIN = join(ROOT, "test/fixtures/plugins/testing.mjs");
// The repository's copies, held equal to ../shared/examples by test/compiler/examples.test.ts.
export const EXAMPLES_DIR = join(ROOT, "examples");

export type DbKind = "sqlite" | "postgresql";

/** A database nobody has used yet, with a temp directory for logs and the outbox. */
export interface TestDatabase {
  kind: DbKind;
  /** DATABASE_URL for the engine and the workers. */
  url: string;
  /** A temp directory of this database's own (logs, outbox, the SQLite file). */
  dir: string;
  /** Drops the schema (PostgreSQL) and removes the temp directory. */
  cleanup(): Promise<void>;
}

export function createTestDatabase(kind: DbKind): TestDatabase {
  const fresh = freshDatabases(`it-${kind}`);
  return { kind, url: fresh.freshUrl(kind), dir: fresh.tempDir, cleanup: fresh.cleanup };
}

/** The environment of a child process on `url`: only the Weft variables given are set. */
export function childEnv(url: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (key.startsWith("WEFT_") && key !== "WEFT_FROM_SOURCE") delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

// ------------------------------------------------------------------------------------------------
// Worker processes

export class WorkerProcess {
  readonly proc: ChildProcess;
  stderr = "";
  stdout = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly label: string,
    env: NodeJS.ProcessEnv,
    options: { plugins?: string[]; args?: string[] } = {},
  ) {
    const plugins = options.plugins ?? [DEMO_PLUGIN, TESTING_PLUGIN];
    const args = [WEFT_BIN, "worker", ...plugins.flatMap((p) => ["--activities", p]), ...(options.args ?? [])];
    this.proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.stdout += chunk));
    this.exited = new Promise((resolveExit) => {
      this.proc.on("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolveExit(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Resolves once the worker says it runs (its start-up line on stderr). */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `worker ${this.label} to start`,
      async () => {
        if (!this.alive) throw new Error(`worker ${this.label} exited (${JSON.stringify(this.exitInfo)}) before it was ready:\n${this.stderr}`);
        return /weft worker \S+: \d+ activities/.test(this.stderr);
      },
      { timeoutMs, intervalMs: 25, details: () => this.stderr },
    );
  }

  /** SIGTERM, and wait for the worker to finish or release its work (SIGKILL after `graceMs`). */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL: the worker dies at once, holding whatever it held. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill("SIGKILL");
    await this.exited;
  }
}

/** The workers of one database suite: started, stopped and killed by the tests. */
export class WorkerPool {
  readonly all: WorkerProcess[] = [];
  private count = 0;

  constructor(
    private readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get running(): WorkerProcess[] {
    return this.all.filter((w) => w.alive);
  }

  /** Starts `n` more workers (with `args` after the plugins) and waits until each is ready. */
  async start(n = 1, args: string[] = []): Promise<WorkerProcess[]> {
    const started: WorkerProcess[] = [];
    for (let i = 0; i < n; i++) {
      this.count++;
      const w = new WorkerProcess(`${this.name}#${this.count}`, this.env, { args });
      this.all.push(w);
      started.push(w);
    }
    await Promise.all(started.map((w) => w.ready()));
    return started;
  }

  /** Keeps exactly `n` workers running. */
  async ensure(n: number): Promise<void> {
    const missing = n - this.running.length;
    if (missing > 0) await this.start(missing);
  }

  byPid(pid: number): WorkerProcess | undefined {
    return this.all.find((w) => w.pid === pid);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running.map((w) => w.stop()));
  }

  async killAll(): Promise<void> {
    await Promise.all(this.running.map((w) => w.kill()));
  }

  /** The end of every worker's stderr, for failure messages. */
  diagnostics(maxPerWorker = 3000): string {
    return this.all
      .map((w) => `--- ${w.label} (pid ${w.pid}${w.alive ? "" : ", exited"}) stderr:\n${w.stderr.slice(-maxPerWorker)}`)
      .join("\n");
  }
}

// ------------------------------------------------------------------------------------------------
// The `weft` command

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runWeft(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolveRun, reject) => {
    const proc = spawn(process.execPath, [WEFT_BIN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    proc.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`weft ${args.join(" ")} took more than ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    proc.on("error", reject);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Waiting

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** More to say when the wait times out (worker stderr, the run's state). */
  details?: () => string | Promise<string>;
}

/** Polls `check` until it gives something truthy; throws with `what` after the deadline. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      // A check that throws on purpose (a dead worker) ends the wait.
      if (err instanceof Error && /exited/.test(err.message)) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const details = options.details ? await options.details() : "";
      const last = lastError ? `\nlast error: ${(lastError as Error).stack ?? String(lastError)}` : "";
      throw new Error(`timed out after ${options.timeoutMs ?? 15_000} ms waiting for ${what}${last}${details ? `\n${details}` : ""}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until the workflow id's current run has ended; returns its description. */
export async function waitForEnd(engine: Engine, workflowId: string, options: WaitOptions = {}): Promise<Description> {
  return waitFor(
    `${workflowId} to end`,
    async () => {
      const d = await engine.describe(workflowId);
      return d.status === "running" ? undefined : d;
    },
    { timeoutMs: 20_000, ...options, details: async () => `${await describeForFailure(engine, workflowId)}\n${options.details ? await options.details() : ""}` },
  );
}

/** Waits until the run waits for something of `kind` (at `nodeId`, if given). */
export async function waitForPending(
  engine: Engine,
  workflowId: string,
  kind: PendingItem["kind"],
  nodeId?: string,
  options: WaitOptions = {},
): Promise<Description> {
  return waitFor(
    `${workflowId} to wait for ${kind}${nodeId ? ` at ${nodeId}` : ""}`,
    async () => {
      const d = await engine.describe(workflowId);
      if (d.status !== "running") throw new Error(`${workflowId} ended (${d.status}: ${JSON.stringify(d.error ?? d.result)}) instead of waiting for ${kind}`);
      return d.pending.some((p) => p.kind === kind && (nodeId === undefined || p.nodeId === nodeId)) ? d : undefined;
    },
    { timeoutMs: 20_000, ...options, details: async () => `${await describeForFailure(engine, workflowId)}\n${options.details ? await options.details() : ""}` },
  );
}

export async function describeForFailure(engine: Engine, workflowId: string): Promise<string> {
  try {
    const d = await engine.describe(workflowId);
    const h = await engine.history(workflowId);
    return `describe: ${JSON.stringify(d)}\nhistory:\n${h.map((e) => JSON.stringify(e)).join("\n")}`;
  } catch (err) {
    return `(describe failed: ${(err as Error).message})`;
  }
}

// ------------------------------------------------------------------------------------------------
// Files

/** The JSON lines of a log file ([] when it does not exist yet). */
export function readJsonLines<T = Record<string, unknown>>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

export function readExample(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, `${name}.json`), "utf8")) as Record<string, any>;
}
