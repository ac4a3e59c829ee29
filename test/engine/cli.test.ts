// `weft` as scripts use it, with no worker running: `list`, `describe`, `workers`, and what it says when the person at
// the keyboard got something wrong: exit status 1, a one-line reason on stderr (a document that
// does not compile: one ERROR line per problem, as `weft compile` prints them), with `--json`
// the same error as one JSON document on stdout, and nothing changed in the database.

import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { loadPlugins } from "../../engine/plugins.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { freshDatabases } from "./fresh-databases.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);
const databases = freshDatabases("cli");
let env: NodeJS.ProcessEnv;

async function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, "bin/weft.mjs"), ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const broken = path.join(databases.tempDir, "broken.json");

beforeAll(async () => {
  env = { ...process.env, DATABASE_URL: databases.freshUrl("sqlite") };
  writeFileSync(
    broken,
    JSON.stringify({
      name: "broken",
      nodes: [
        { id: "start", type: "start" },
        { id: "charge", type: "step", activity: "payments.charge", timeout: "10 sec" },
        { id: "done", type: "end" },
      ],
      edges: [{ id: "e1", from: "start", to: "charge" }],
    }),
  );
  const deployed = await weft("deploy", path.join(root, "examples/order-item.json"));
  expect(deployed.code).toBe(0);
}, 60_000);

afterAll(() => databases.cleanup());

describe("weft's user errors", () => {
  it("deploy of a document with errors prints each problem once, naming its node or edge, and stores nothing", async () => {
    const r = await weft("deploy", broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines.every((l) => l.startsWith("ERROR "))).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
    expect(r.stderr).toMatch(/^ERROR charge timeout: /m);
    expect(r.stderr).toMatch(/^ERROR done cannot be reached from start/m);

    const json = await weft("deploy", broken, "--json");
    expect(json.code).toBe(1);
    const { error } = JSON.parse(json.stdout);
    expect(error).toMatchObject({ code: "INVALID", message: expect.stringMatching(/^workflow document "broken" has \d+ errors: /) });
    expect(error.errors.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining(["charge", "done"]));

    const start = await weft("start", "broken", "--json");
    expect(start.code).toBe(1);
    expect(JSON.parse(start.stdout).error.code).toBe("NOT_FOUND");
  }, 30_000);

  it("start with input that does not match the schema gives one line naming every missing field", async () => {
    const r = await weft("start", "order-item", "--input", "{}");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toBe("weft: the input does not match order-item's inputSchema: input/orderId is required; input/sku is required; input/qty is required\n");

    const json = await weft("start", "order-item", "--input", "{}", "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: "INVALID",
        message: expect.stringMatching(/inputSchema/),
        errors: [
          { id: "/orderId", message: "is required" },
          { id: "/sku", message: "is required" },
          { id: "/qty", message: "is required" },
        ],
      },
    });

    const missing = await weft("start", "order-item", "--input", "@/no/such/input.json");
    expect(missing).toMatchObject({ code: 1, stderr: "weft: --input: cannot read /no/such/input.json: no such file\n" });

    const describeRun = await weft("describe", "never-started", "--json");
    expect(describeRun.code).toBe(1);
    expect(JSON.parse(describeRun.stdout)).toEqual({ error: { code: "NOT_FOUND", message: 'no workflow with id "never-started"' } });
    expect(describeRun.stderr).toBe('weft: no workflow with id "never-started"\n');
  }, 30_000);
});

describe("weft list", () => {
  it("lists runs newest first, filtered by status and name, as lines or one JSON document", async () => {
    // The input inline, and from a file (@FILE).
    expect((await weft("start", "order-item", "--id", "list-1", "--input", JSON.stringify({ orderId: "list-1", sku: "s", qty: 1 }))).code).toBe(0);
    const inputFile = path.join(databases.tempDir, "input.json");
    writeFileSync(inputFile, JSON.stringify({ orderId: "list-2", sku: "s", qty: 1 }));
    expect((await weft("start", "order-item", "--id", "list-2", "--input", `@${inputFile}`)).code).toBe(0);
    const r = await weft("list", "--name", "order-item", "--status", "running", "--json");
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.stdout);
    expect(runs.map((x: { workflowId: string }) => x.workflowId)).toEqual(["list-2", "list-1"]);
    expect(runs[0]).toEqual({ workflowId: "list-2", runId: expect.any(String), name: "order-item", version: 1, status: "running", startedAt: expect.stringMatching(/Z$/) });

    const text = await weft("list", "--limit", "1");
    expect(text.stdout.trim().split("\n")).toHaveLength(1);
    expect(text.stdout).toMatch(/^list-2 +order-item v1 +running +started /);

    expect((await weft("list", "--status", "completed", "--json")).stdout.trim()).toBe("[]");

    // Nobody runs these: describe says so, and what to do.
    const described = await weft("describe", "list-1");
    expect(described.stdout).toMatch(/^waiting for a worker to take its next step$/m);
    expect(described.stdout).toMatch(/^no worker is running: start one with `weft worker --activities MODULE`/m);
    expect(JSON.parse((await weft("workers", "--json")).stdout)).toEqual([]);
    const bad = await weft("list", "--status", "done");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('weft: "done" is not a run status: use one of running, completed, failed, cancelled, terminated\n');
  }, 30_000);
});

describe("weft after a start, before and after a worker", () => {
  const until = async <T,>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
    for (const deadline = Date.now() + 15_000; ; ) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it("approve right after start, before any worker ran, is taken: the run waits for exactly that approval", async () => {
    expect((await weft("deploy", path.join(root, "examples/money-transfer.json"))).code).toBe(0);
    const input = JSON.stringify({ from: "ACC-1", to: "ACC-2", amount: 25_000 });
    expect((await weft("start", "money-transfer", "--id", "early-1", "--input", input)).code).toBe(0);
    // Nothing ran yet: its history is the start alone, and query replays it to the approval.
    expect(JSON.parse((await weft("query", "early-1", "state", "--json")).stdout)).toMatchObject({ node: "review" });
    const approved = await weft("approve", "early-1", "--by", "fin1", "--comment", "ok", "--json");
    expect(approved.stderr).toBe("");
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ workflowId: "early-1", nodeId: "review", approved: true, by: "fin1", decision: "approve" });
    // A second decision is refused, even before a worker has taken the first.
    const again = await weft("decline", "early-1", "--by", "fin2");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^weft: the approval "review" of workflow "early-1" was already decided by fin1\n$/);

    // A worker comes: the run takes the decision and completes the transfer.
    const engine = await Engine.open({ url: env.DATABASE_URL });
    const worker = new Worker(engine, await loadPlugins([path.join(root, "plugins/demo.mjs")]), { pollMs: 100, log: () => {} });
    try {
      await worker.start();
      const done = await until(async () => {
        const d = await engine.describe("early-1");
        return d.status === "running" ? undefined : d;
      }, "early-1 to end");
      expect(done).toMatchObject({ status: "completed", result: { receipt: { from: "ACC-1", to: "ACC-2", amount: 25_000 } } });
      const received = (await engine.history("early-1")).find((e) => e.type === "SignalReceived");
      expect(received).toMatchObject({ nodeId: "review", signal: "approve", payload: { by: "fin1", comment: "ok" } });
    } finally {
      await worker.stop();
      await engine.close();
    }
  }, 60_000);

  it("list says that runs which continued as new are not listed, and where they are", async () => {
    // A loop that continues as new after a few rounds (the worker's history bound is small).
    const loop = path.join(databases.tempDir, "ticker.json");
    writeFileSync(
      loop,
      JSON.stringify({
        name: "ticker",
        nodes: [
          { id: "start", type: "start" },
          { id: "tick", type: "timer", duration: "10ms" },
          { id: "work", type: "step", activity: "t.work", input: {} },
        ],
        edges: [
          { id: "e1", source: "start", target: "tick" },
          { id: "e2", source: "tick", target: "work" },
          { id: "e3", source: "work", target: "tick" },
        ],
      }),
    );
    expect((await weft("deploy", loop)).code).toBe(0);
    expect((await weft("start", "ticker", "--id", "ticker-1")).code).toBe(0);
    const engine = await Engine.open({ url: env.DATABASE_URL });
    const worker = new Worker(engine, new Map([["t.work", { name: "t.work", run: async () => "ok" }]]), { pollMs: 50, historyLimit: 8, log: () => {} });
    try {
      await worker.start();
      await until(async () => ((await engine.db.query("SELECT 1 FROM run WHERE workflow_id = 'ticker-1' AND status = 'continued'")).length > 0 ? true : undefined), "ticker-1 to continue as new");
    } finally {
      await worker.stop();
    }
    await engine.terminate("ticker-1");
    const continued = Number((await engine.db.query("SELECT COUNT(*) AS n FROM run WHERE status = 'continued'"))[0]!.n);
    await engine.close();

    const r = await weft("list", "--name", "ticker");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ticker-1 +ticker v1 +terminated /);
    expect(lines.at(-1)).toBe(`(${continued} earlier run${continued === 1 ? " that continued as new is" : "s that continued as new are"} not listed: each is shown by the run that carries on, under the same workflow id)`);
    // Not with a status they could not have, nor in the JSON document (an array of runs).
    expect((await weft("list", "--name", "ticker", "--status", "completed")).stdout).toBe("no runs\n");
    expect(JSON.parse((await weft("list", "--name", "ticker", "--json")).stdout)).toHaveLength(1);
  }, 60_000);
});
