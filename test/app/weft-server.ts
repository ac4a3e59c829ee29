// The app as a new user runs it, for the API and browser tests: `weft dev --port 0` (the app,
// a worker with the demo plugins, the examples deployed, demo people seeded) on a throwaway
// database, SQLite or the real PostgreSQL. The tests talk to it over real HTTP.

import { spawn, type ChildProcess } from "node:child_process";
import { childEnv, createTestDatabase, type DbKind, type TestDatabase, WEFT_BIN, ROOT } from "../engine/harness.ts";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface WeftServer {
  /** http://localhost:PORT */
  url: string;
  /** The environment `weft dev` runs with (a `weft worker` on the same database takes it). */
  env: NodeJS.ProcessEnv;
  /** The password `weft dev` printed for the demo people (ada, fin1, fin2, ops, admin). */
  demoPassword: string;
  database: TestDatabase;
  /** What the process printed so far. */
  output(): string;
  /** The `weft` command on the same database. */
  cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** `args`: more of `weft dev`'s options (`--no-worker`, say). */
export async function startWeft(kind: DbKind = "sqlite", options: { env?: Record<string, string>; args?: string[] } = {}): Promise<WeftServer> {
  const database = createTestDatabase(kind);
  // The demo plugins' e-mails land in the database's own temp folder, not in ./data.
  const env = childEnv(database.url, { WEFT_OUTBOX: `${database.dir}/outbox.jsonl`, ...options.env });
  const proc: ChildProcess = spawn(process.execPath, [WEFT_BIN, "dev", "--port", "0", ...(options.args ?? [])], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout!.on("data", (d) => (output += String(d)));
  proc.stderr!.on("data", (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weft dev did not start within 120 s:\n${output}`)), 120_000);
    const look = () => {
      const match = /Weft is running on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    proc.stdout!.on("data", look);
    proc.stderr!.on("data", look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`weft dev exited (${code}) before it was ready:\n${output}`));
    });
  });
  const demoPassword = /with the password (\S+)/.exec(output)?.[1] ?? "";
  return {
    url,
    env,
    demoPassword,
    database,
    output: () => output,
    async cli(args, input) {
      try {
        const child = run(process.execPath, [WEFT_BIN, ...args], { cwd: ROOT, env });
        if (input !== undefined) {
          child.child.stdin!.end(input);
        }
        const { stdout, stderr } = await child;
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await database.cleanup();
    },
  };
}
