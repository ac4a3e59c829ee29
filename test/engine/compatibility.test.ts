// `--compatible-with N` is checked, not believed (issue 10, item 4). Before a new version is
// declared compatible with N, every open run that would move to it is replayed on its code:
// the declaration is refused, naming each run and the node where it would break, unless
// forced. A run that meets a non-determinism error anyway is held, not failed: it waits,
// describe says why and where (and the version it is on now), what happens meanwhile (an
// activity's result) is recorded, and it resumes when a version it replays on is deployed.
// An in-process worker on SQLite and PostgreSQL; the command on SQLite.

import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { ActivityDefinition } from "../../engine/activity.ts";
import { compile } from "../../compiler/compile.ts";
import { Engine } from "../../engine/engine.ts";
import type { Description } from "../../engine/run-views.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { line, type Doc } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const databases = freshDatabases("compat");
afterAll(() => databases.cleanup());

/** first → slow → done; versions differ in the activity of `first` (before the wait at slow) or in the result (after it). */
const version = (first: string, tag: string): Doc =>
  line("compat", [
    { id: "first", type: "step", activity: first, input: { id: "=workflow.id" }, output: "x" },
    { id: "slow", type: "step", activity: "t.slow", input: { id: "=workflow.id" }, output: "y" },
    { id: "done", type: "end", result: { y: "=y", tag } },
  ]);
const V1 = version("t.first", "v1");
/** Changes what comes before where the runs wait: their histories do not replay on it. */
const BREAKING = version("t.other", "v2");
/** Changes only what comes after: it replays them. */
const FIX = version("t.first", "v3");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const run = promisify(execFile);
async function weft(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, "bin/weft.mjs"), ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.each(["sqlite", "postgresql"] as const)("compatibility declarations on %s", (kind) => {
  it(
    "a breaking declaration is refused naming each run and node; forced, the runs are held (not failed), keep what happens, and resume on a version they replay on",
    async () => {
      const url = databases.freshUrl(kind);
      const engine = await Engine.open({ url });
      // t.slow waits until the test lets each run's attempt finish.
      const gates = new Map<string, () => void>();
      const ran: string[] = [];
      const activity = (name: string, run: ActivityDefinition["run"]): [string, ActivityDefinition] => [name, { name, run }];
      const plugins = new Map([
        activity("t.first", async (input) => (ran.push(`first ${(input as { id: string }).id}`), "x")),
        activity("t.other", async (input) => (ran.push(`other ${(input as { id: string }).id}`), "other")),
        activity("t.slow", async (input) => {
          const { id } = input as { id: string };
          await new Promise<void>((resolve) => gates.set(id, resolve));
          return `slow ${id}`;
        }),
      ]);
      const log: string[] = [];
      const worker = new Worker(engine, plugins, { pollMs: 100, log: (l) => log.push(l) });
      try {
        await engine.deploy(V1);
        await worker.start();
        for (const id of ["c-1", "c-2", "c-3"]) await engine.start("compat", { workflowId: id });
        await until("the runs at slow", async () => (gates.size === 3 ? true : undefined));

        // The check, from a document and from a compiled module alike.
        const expected = { workflowId: "c-1", runId: expect.any(String), nodeId: "first", message: expect.stringContaining('ActivityScheduled(node "first", activity "t.first")') };
        const report = await engine.checkCompatible(BREAKING, 1);
        const breaking = ["c-1", "c-2", "c-3"].map((workflowId) => ({ ...expected, workflowId }));
        expect(report).toEqual({ runs: 3, breaking });
        const compiled = compile(BREAKING);
        if (!compiled.ok) throw new Error("BREAKING does not compile");
        expect(await engine.checkCompatible({ name: compiled.name, code: compiled.code }, 1)).toEqual(report);
        expect(await engine.checkCompatible(FIX, 1)).toEqual({ runs: 3, breaking: [] });
        await expect(engine.checkCompatible(FIX, 7)).rejects.toMatchObject({ code: "NOT_FOUND", message: "compat has no version 7: its versions are 1 to 1" });

        // Refused: nothing is deployed.
        const refused = await engine.deploy(BREAKING, { compatibleWith: 1 }).catch((e: unknown) => e);
        expect(refused).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/not compatible with version 1: 3 of the 3 open runs .*c-1 at node "first", c-2 at node "first", c-3 at node "first".*--force/) });
        expect((refused as { errors: { id: string }[] }).errors.map((e) => e.id)).toEqual(["c-1", "c-2", "c-3"]);
        expect((await engine.deploy(V1)).version).toBe(1);

        // Forced: the runs move to version 2 and are held at first when they next move.
        const forced = await engine.deploy(BREAKING, { compatibleWith: 1, force: true });
        expect(forced).toMatchObject({ version: 2, created: true, moved: 3, breaking });
        expect(await engine.describe("c-2")).toMatchObject({ version: 2, startedVersion: 1, status: "running" });
        await sleep(1100); // the worker reads declarations at most a second old
        gates.get("c-1")!();
        const held = await until("c-1 held", async () => {
          const d = await engine.describe("c-1");
          return d.held ? d : undefined;
        });
        expect(held).toMatchObject({
          status: "running",
          version: 2,
          startedVersion: 1,
          held: { nodeId: "first", version: 2, reason: expect.stringContaining("the module changed under a running workflow") },
        });
        expect(held.pending[0]).toMatchObject({ kind: "held", nodeId: "first" });
        // The result of the attempt that was under way is recorded, not lost; nothing failed, and the
        // new code's first step never ran.
        const history = await engine.history("c-1");
        expect(history.filter((e) => e.type === "ActivityCompleted").map((e) => e.nodeId)).toEqual(["first", "slow"]);
        expect(history.some((e) => e.type === "WorkflowFailed")).toBe(false);
        expect([...ran].sort()).toEqual(["first c-1", "first c-2", "first c-3"]); // the runs start at once: in any order
        expect(log.join("\n")).toMatch(/run .* \(c-1\) is held at node first/);

        // A version that replays it: checked, declared, and the held run resumes on it.
        const fix = await engine.deploy(FIX, { compatibleWith: 1 });
        expect(fix).toMatchObject({ version: 3, moved: 3, breaking: [] });
        const done = await until("c-1 to end", async () => {
          const d: Description = await engine.describe("c-1");
          return d.status === "running" ? undefined : d;
        });
        // Ended, it says the version it ran on (and the one it started on), as it did while open.
        expect(done).toMatchObject({ status: "completed", result: { y: "slow c-1", tag: "v3" }, version: 3, startedVersion: 1 });
        expect(done.held).toBeUndefined();
        expect((await engine.history("c-1")).at(-1)).toMatchObject({ type: "WorkflowCompleted", version: 3 });
        expect(await engine.describe("c-2")).toMatchObject({ version: 3, startedVersion: 1, status: "running" });
        expect((await engine.describe("c-2")).held).toBeUndefined();
        await sleep(1100);
        gates.get("c-2")!();
        const second = await until("c-2 to end", async () => {
          const d = await engine.describe("c-2");
          return d.status === "running" ? undefined : d;
        });
        expect(second).toMatchObject({ status: "completed", result: { y: "slow c-2", tag: "v3" }, version: 3, startedVersion: 1 });
        expect([...ran].sort()).toEqual(["first c-1", "first c-2", "first c-3"]);
        // Cancelled while on version 3: its end says so too.
        await engine.cancel("c-3", { by: "ops" });
        expect(await engine.describe("c-3")).toMatchObject({ status: "cancelled", version: 3, startedVersion: 1 });
        expect((await engine.history("c-3")).at(-1)).toMatchObject({ type: "WorkflowCancelled", by: "ops", version: 3 });
      } finally {
        for (const open of gates.values()) open();
        await worker.stop();
        await engine.close();
      }
    },
    45_000,
  );
});

describe("weft deploy --compatible-with", () => {
  it("refuses a declaration that would break open runs, naming them and their nodes; --force declares it and says how many runs are held", async () => {
    const url = databases.freshUrl("sqlite");
    const env = { ...process.env, DATABASE_URL: url };
    const engine = await Engine.open({ url });
    const v1 = line("waits", [
      { id: "a", type: "step", activity: "t.a", input: {} },
      { id: "wait", type: "signal", signal: "go" },
      { id: "done", type: "end" },
    ]);
    const changed = { ...v1, nodes: v1.nodes.map((n: Doc) => (n.id === "a" ? { ...n, activity: "t.b" } : n)) };
    const file = path.join(databases.tempDir, "changed.json");
    writeFileSync(file, JSON.stringify(changed));
    const worker = new Worker(engine, new Map([["t.a", { name: "t.a", run: async () => "a" }]]), { pollMs: 100, log: () => {} });
    try {
      await engine.deploy(v1);
      await worker.start();
      await engine.start("waits", { workflowId: "w-1" });
      await until("w-1 at the signal", async () => ((await engine.describe("w-1")).pending.some((p) => p.kind === "signal") ? true : undefined));

      const r = await weft(env, "deploy", file, "--compatible-with", "1");
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^weft: this document is not compatible with version 1: 1 of the 1 open run it would take over does not replay on it \(w-1 at node "a"\); nothing was deployed\. .*--force/);
      const json = await weft(env, "deploy", file, "--compatible-with", "1", "--json");
      expect(JSON.parse(json.stdout).error).toMatchObject({ code: "CONFLICT", errors: [{ id: "w-1", message: expect.stringMatching(/^run \S+ breaks at node "a": history event 2 is ActivityScheduled/) }] });

      const forced = await weft(env, "deploy", file, "--compatible-with", "1", "--force");
      expect(forced.code).toBe(0);
      expect(forced.stdout).toMatch(/^deployed waits version 2 .*declared compatible with version 1 by --force: 1 of its 1 open runs do not replay on it and are held where they are \(w-1 at a\)/);

      // Told to go on, the run is held at a: describe says so, and why.
      await sleep(1100);
      await engine.signal("w-1", "go");
      await until("w-1 held", async () => ((await engine.describe("w-1")).held ? true : undefined));
      const described = await weft(env, "describe", "w-1");
      expect(described.stdout).toMatch(/^w-1 {2}waits v2 \(started on v1\) {2}running$/m);
      expect(described.stdout).toMatch(/^held at a since \S+: the code of v2 does not replay its history \(history event 2 is ActivityScheduled\(node "a", activity "t\.a"\).*\); it resumes when a version it replays on is deployed with --compatible-with 1$/m);
      // The signal that woke it came, and waits until the run is freed.
      expect(described.stdout).toMatch(/^waiting at wait \(signal\), "go" received at \S+, taken once the run is freed$/m);
      expect((await engine.describe("w-1")).pending.find((p) => p.kind === "signal")).toMatchObject({ nodeId: "wait", received: { signal: "go", at: expect.any(String) } });
    } finally {
      await worker.stop();
      await engine.close();
    }
  }, 60_000);
});
