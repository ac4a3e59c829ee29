// A worker that dies during an activity (issue 10, items 1 and 2), with real `weft worker`
// processes killed with SIGKILL, on SQLite and on PostgreSQL, at the workers' default lease
// (10 s), so that what moves the dead worker's runs on is its death being noticed, not a lease
// shortened for the test:
//
// - the lost attempt counts: it is recorded as failed with WorkerLost, naming the worker; the
//   next attempt is attempt 2 (ctx.attempt, with the last heartbeat's details); the retry policy
//   applies, so an activity that kills its worker every time ends after maximumAttempts (the run
//   fails, or takes its error edge); `weft describe` says what happened;
// - the dead worker's runs move on within seconds of the kill, not a lease later;
// - how a worker is told dead: on SQLite by its pid (gone, a zombie, or reused by a process that
//   started after it registered), on PostgreSQL by the advisory lock its connection holds.

import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonCodec } from "../../engine/codec.ts";
import { Engine } from "../../engine/engine.ts";
import type { RecordedEvent } from "../../engine/runtime/events.ts";
import { deadWorkers, LivenessLock, processGone } from "../../engine/worker/liveness.ts";
import { registerWorker } from "../../engine/worker-store.ts";
import { line, type Doc } from "./documents.ts";
import { childEnv, createTestDatabase, readJsonLines, runWeft, sleep, waitFor, waitForEnd, WorkerPool, WorkerProcess, type DbKind, type TestDatabase } from "./harness.ts";

/**
 * The time a dead worker's runs may take to move on, in this test. The target is 2 s at the
 * 99th percentile, which `npm run soak` measures over hundreds of kills; a single kill here on a
 * shared, busy 2-core machine is allowed 3 s. Before, they waited for the lease: 10 s.
 */
const TAKEOVER_LIMIT_MS = 3000;

type Failed = Extract<RecordedEvent, { type: "ActivityFailed" }>;

function failures(h: RecordedEvent[], nodeId: string): Failed[] {
  return h.filter((e): e is Failed => e.type === "ActivityFailed" && e.nodeId === nodeId);
}

/** The worker id a `weft worker` process printed as it started. */
function workerIdOf(w: WorkerProcess): string {
  const m = /weft worker (\S+): \d+ activities/.exec(w.stderr);
  if (!m) throw new Error(`worker ${w.label} printed no start-up line:\n${w.stderr}`);
  return m[1]!;
}

describe.each(["sqlite", "postgresql"] as DbKind[])("a worker killed during an activity, on %s", (kind) => {
  let db: TestDatabase;
  let engine: Engine;
  let pool: WorkerPool;
  let env: NodeJS.ProcessEnv;
  const logFile = (name: string) => join(db.dir, "logs", `${name}.jsonl`);

  beforeAll(async () => {
    db = createTestDatabase(kind);
    engine = await Engine.open({ url: db.url, codec: jsonCodec });
    // No WEFT_LEASE_MS: the default 10 s lease.
    env = childEnv(db.url);
    pool = new WorkerPool(`crash-${kind}`, env);
    await pool.start(2);
  });

  afterAll(async () => {
    await pool?.killAll();
    await engine?.close();
    await db?.cleanup();
  });

  beforeEach(async (context) => {
    context.onTestFailed(() => {
      console.error(`[${kind}] ${context.task.name} failed; worker output:\n${pool.diagnostics()}`);
    });
    await pool.ensure(2);
  });

  it(
    "the lost attempt is recorded (WorkerLost, naming the worker), the next is attempt 2, describe says so, and the runs move on within seconds",
    async () => {
      const slowLog = logFile("lost-slow");
      await engine.deploy(
        line("lost-attempt", [
          {
            id: "slow",
            type: "step",
            activity: "test.slow",
            input: { ms: "=input.ms", log: "=input.log" },
            output: "s",
            // A backoff long enough to look at the run between the attempts.
            retry: { initialInterval: "3s", maximumAttempts: 5 },
            timeout: "30s",
          },
          { id: "done", type: "end", result: "=s" },
        ]),
      );
      const ids = ["lost-1", "lost-2", "lost-3"];
      for (const id of ids) await engine.start("lost-attempt", { workflowId: id, input: { ms: 2500, log: `${slowLog}.${id}` } });
      const firstStarts = await waitFor(
        "each run's first attempt to start",
        () => {
          const starts = ids.map((id) => readJsonLines<{ event: string; pid: number; attempt: number }>(`${slowLog}.${id}`).find((l) => l.event === "start"));
          return starts.every((s) => s !== undefined) ? starts.map((s) => s!) : undefined;
        },
        { details: () => pool.diagnostics() },
      );
      const victim = pool.byPid(firstStarts[0]!.pid)!;
      expect(victim, `the attempt runs in pid ${firstStarts[0]!.pid}, not one of our workers`).toBeDefined();
      const victimId = workerIdOf(victim);
      const victimRuns = ids.filter((_, i) => firstStarts[i]!.pid === victim.pid);
      await sleep(200);
      const killedAt = Date.now();
      await victim.kill();

      // Each of its runs records the lost attempt, soon after the kill.
      for (const id of victimRuns) {
        const lost = await waitFor(
          `${id}'s lost attempt to be recorded`,
          async () => failures(await engine.history(id), "slow")[0],
          { timeoutMs: 20_000, details: () => pool.diagnostics() },
        );
        expect(lost).toMatchObject({ attempt: 1, error: { type: "WorkerLost" }, nextAttemptAt: expect.any(Number) });
        expect(lost.error.message).toContain(`worker ${victimId} was lost during attempt 1 of test.slow`);
        expect(lost.at - killedAt, `${id} moved on ${lost.at - killedAt} ms after the kill`).toBeLessThan(TAKEOVER_LIMIT_MS);
        // Its backoff is the policy's: 3 s from the failure.
        expect(lost.nextAttemptAt! - lost.at).toBeGreaterThan(2000);
      }

      // describe: the step waits for its attempt 2, and says why.
      const d = await engine.describe(victimRuns[0]!);
      expect(d.pending).toEqual([
        expect.objectContaining({ nodeId: "slow", kind: "activity", attempt: 2, nextAttemptAt: expect.any(String), lastError: { type: "WorkerLost", message: expect.stringContaining(victimId) } }),
      ]);

      for (const id of ids) {
        const end = await waitForEnd(engine, id, { timeoutMs: 30_000, details: () => pool.diagnostics() });
        expect(end.status).toBe("completed");
        const h = await engine.history(id);
        const started = h.filter((e) => e.type === "ActivityStarted");
        const completed = h.filter((e) => e.type === "ActivityCompleted");
        const starts = readJsonLines<{ event: string; attempt: number; pid: number }>(`${slowLog}.${id}`).filter((l) => l.event === "start");
        if (victimRuns.includes(id)) {
          // Attempt 1 died with its worker; attempt 2 ran on a live one, and is the one recorded.
          expect(starts.map((s) => s.attempt)).toEqual([1, 2]);
          expect(starts[1]!.pid).not.toBe(victim.pid);
          expect(failures(h, "slow").map((f) => [f.attempt, f.error.type])).toEqual([[1, "WorkerLost"]]);
          expect(started).toEqual([expect.objectContaining({ attempt: 2 })]);
          expect(completed).toEqual([expect.objectContaining({ attempt: 2 })]);
        } else {
          expect(starts.map((s) => s.attempt)).toEqual([1]);
          expect(completed).toEqual([expect.objectContaining({ attempt: 1 })]);
        }
      }
    },
    90_000,
  );

  it(
    "an activity that kills its worker every time ends after maximumAttempts (the run fails, or takes its error edge); one that dies once succeeds at attempt 2",
    async () => {
      const always = logFile("die-always");
      const edge = logFile("die-edge");
      const once = logFile("die-once");
      await engine.deploy(
        line("die-always", [
          { id: "die", type: "step", activity: "test.die", input: { log: "=input.log" }, retry: { initialInterval: "100ms", maximumAttempts: 3 } },
          { id: "done", type: "end", result: "unreachable" },
        ]),
      );
      const edgeDoc: Doc = {
        name: "die-edge",
        nodes: [
          { id: "start", type: "start" },
          { id: "die", type: "step", activity: "test.die", input: { log: "=input.log" }, retry: { initialInterval: "100ms", maximumAttempts: 2 } },
          { id: "recover", type: "step", activity: "test.echo", input: { recovered: true }, output: "r" },
          { id: "ok", type: "end", result: "=r" },
          { id: "bad", type: "end", result: "the plain edge was taken" },
        ],
        edges: [
          { id: "e1", source: "start", target: "die" },
          { id: "e2", source: "die", target: "bad" },
          { id: "e3", source: "die", sourceHandle: "error", target: "recover" },
          { id: "e4", source: "recover", target: "ok" },
        ],
      };
      await engine.deploy(edgeDoc);
      await engine.deploy(
        line("die-once", [
          { id: "die", type: "step", activity: "test.die", input: { log: "=input.log", deaths: 1 }, output: "r", retry: { initialInterval: "100ms", maximumAttempts: 3 } },
          { id: "done", type: "end", result: "=r" },
        ]),
      );

      // Workers die here one after another: two are kept running throughout.
      let keeping = true;
      const keeper = (async () => {
        while (keeping) {
          await pool.ensure(2).catch(() => {}); // a worker may die before it says it is ready
          await sleep(100);
        }
      })();
      try {
        // Alone first: the others would kill the worker its attempt 2 runs on, now and then.
        await engine.start("die-once", { workflowId: "die-once-1", input: { log: once } });
        const succeeded = await waitForEnd(engine, "die-once-1", { timeoutMs: 40_000, intervalMs: 200, details: () => pool.diagnostics() });
        await engine.start("die-always", { workflowId: "die-always-1", input: { log: always } });
        await engine.start("die-edge", { workflowId: "die-edge-1", input: { log: edge } });
        const [failed, recovered] = await Promise.all(
          ["die-always-1", "die-edge-1"].map((id) => waitForEnd(engine, id, { timeoutMs: 75_000, intervalMs: 200, details: () => pool.diagnostics() })),
        );

        // Three attempts, each on a worker of its own that it killed, each recorded lost
        // naming that worker; the third ends the step and the run.
        expect(failed!.status).toBe("failed");
        expect(failed!.error).toMatchObject({ type: "WorkerLost", message: expect.stringContaining("during attempt 3 of test.die") });
        const attempts = readJsonLines<{ attempt: number; pid: number }>(always);
        expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
        expect(new Set(attempts.map((a) => a.pid)).size).toBe(3);
        const lost = failures(await engine.history("die-always-1"), "die");
        expect(lost.map((f) => [f.attempt, f.error.type, f.nextAttemptAt !== undefined])).toEqual([
          [1, "WorkerLost", true],
          [2, "WorkerLost", true],
          [3, "WorkerLost", false],
        ]);
        lost.forEach((f, i) => expect(f.error.message).toContain(`worker ${workerIdOf(pool.byPid(attempts[i]!.pid)!)} was lost during attempt ${i + 1}`));
        const described = await runWeft(["describe", "die-always-1"], env);
        expect(described.code, described.stderr).toBe(0);
        expect(described.stdout).toMatch(/failed/);
        expect(described.stdout).toContain(`error: WorkerLost: worker ${workerIdOf(pool.byPid(attempts[2]!.pid)!)} was lost during attempt 3 of test.die`);

        // Two attempts lost, then the error edge.
        expect(recovered!.status).toBe("completed");
        expect(recovered!.result).toEqual({ recovered: true });
        expect(readJsonLines<{ attempt: number }>(edge).map((a) => a.attempt)).toEqual([1, 2]);
        expect(failures(await engine.history("die-edge-1"), "die").map((f) => [f.attempt, f.error.type, f.nextAttemptAt !== undefined])).toEqual([
          [1, "WorkerLost", true],
          [2, "WorkerLost", false],
        ]);

        // Died once: attempt 2 sees ctx.attempt 2 and the details attempt 1 reported.
        expect(succeeded.status).toBe("completed");
        expect(succeeded.result).toEqual({ attempt: 2 });
        expect(readJsonLines<{ attempt: number; heartbeatDetails: unknown }>(once).map((a) => [a.attempt, a.heartbeatDetails])).toEqual([
          [1, null],
          [2, { diedAt: 1 }],
        ]);
      } finally {
        keeping = false;
        await keeper;
      }
    },
    120_000,
  );

  it(
    "a worker that dies unnoticed (gone from the registry) loses its attempt when its lease runs out: recorded the same way, attempt 2 next",
    async () => {
      const slowLog = logFile("unnoticed-slow");
      await engine.deploy(
        line("unnoticed", [
          { id: "slow", type: "step", activity: "test.slow", input: { ms: 1000, log: "=input.log" }, output: "s", retry: { initialInterval: "100ms" }, timeout: "30s" },
          { id: "done", type: "end", result: "=s" },
        ]),
      );
      // Alone, with a short lease: the run's attempt 1 runs there.
      await pool.stopAll();
      const victim = new WorkerProcess(`crash-${kind}-victim`, childEnv(db.url, { WEFT_LEASE_MS: "1500" }));
      pool.all.push(victim);
      await victim.ready();
      await engine.start("unnoticed", { workflowId: "unnoticed-1", input: { log: slowLog } });
      await waitFor("attempt 1 to start", () => readJsonLines<{ event: string }>(slowLog).some((l) => l.event === "start"), { details: () => pool.diagnostics() });
      // Nobody can tell it died (no registry row to check): only its lease says so.
      const victimId = workerIdOf(victim);
      await engine.db.execute("DELETE FROM worker WHERE id = ?", [victimId]);
      await victim.kill();
      await pool.ensure(1);

      const end = await waitForEnd(engine, "unnoticed-1", { timeoutMs: 30_000, details: () => pool.diagnostics() });
      expect(end.status).toBe("completed");
      const h = await engine.history("unnoticed-1");
      expect(failures(h, "slow").map((f) => [f.attempt, f.error.type, f.error.message.startsWith(`worker ${victimId} was lost during attempt 1`), f.nextAttemptAt !== undefined])).toEqual([
        [1, "WorkerLost", true, true],
      ]);
      expect(h.filter((e) => e.type === "ActivityCompleted")).toEqual([expect.objectContaining({ attempt: 2 })]);
      expect(readJsonLines<{ event: string; attempt: number }>(slowLog).filter((l) => l.event === "start").map((l) => l.attempt)).toEqual([1, 2]);
    },
    60_000,
  );
});

// ------------------------------------------------------------------------------------------------
// How a dead worker is told from a live one

/** A child process that stays until killed; resolves once it runs. */
function sleeper(): Promise<{ pid: number; exited: Promise<void> }> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 60_000)"], { stdio: "ignore" });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    child.once("spawn", () => resolve({ pid: child.pid!, exited }));
    child.once("error", reject);
  });
}

describe("telling a dead worker from a live one", () => {
  it("by its process on this host: gone, a zombie, or its pid reused by a later process, never this process", async () => {
    expect(processGone(process.pid, 0)).toBe(false);
    const child = await sleeper();
    const registered = Date.now() + 5000; // (the child started before it "registered")
    expect(processGone(child.pid, registered)).toBe(false);
    // A worker that registered a minute before this process started: the pid is someone else's now.
    expect(processGone(child.pid, Date.now() - 60_000)).toBe(true);
    process.kill(child.pid, "SIGKILL");
    await child.exited;
    expect(processGone(child.pid, registered)).toBe(true);

    // A zombie: killed, but its parent (a `sleep` that never waits for children) has not reaped it.
    const parent = spawn("sh", ["-c", "sleep 30 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const zombiePid = await new Promise<number>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
      expect(processGone(zombiePid, Date.now() + 5000)).toBe(false);
      process.kill(zombiePid, "SIGKILL");
      await waitFor("the killed child to be a zombie", () => processGone(zombiePid, Date.now() + 5000), { timeoutMs: 5000 });
    } finally {
      parent.kill("SIGKILL");
    }
  });

  describe.each(["sqlite", "postgresql"] as DbKind[])("on %s", (kind) => {
    let db: TestDatabase;
    let engine: Engine;
    beforeAll(async () => {
      db = createTestDatabase(kind);
      engine = await Engine.open({ url: db.url, codec: jsonCodec });
    });
    afterAll(async () => {
      await engine?.close();
      await db?.cleanup();
    });

    const base = { activities: [], concurrency: 1, startedAt: Date.now(), heartbeatAt: Date.now() };

    // Each database's way; the other suite leaves the case out rather than counting it as skipped.
    (kind === "sqlite" ? it : () => undefined)("SQLite: a registered worker of this host whose process is gone is dead; others are left to their leases", async () => {
      const child = await sleeper();
      const gone = await sleeper();
      process.kill(gone.pid, "SIGKILL");
      await gone.exited;
      const now = Date.now();
      await registerWorker(engine.db, { ...base, id: "me", host: hostname(), pid: process.pid, startedAt: now });
      await registerWorker(engine.db, { ...base, id: "alive", host: hostname(), pid: child.pid, startedAt: now });
      await registerWorker(engine.db, { ...base, id: "gone", host: hostname(), pid: gone.pid, startedAt: now });
      await registerWorker(engine.db, { ...base, id: "elsewhere", host: `not-${hostname()}`, pid: gone.pid, startedAt: now });
      try {
        expect(await deadWorkers(engine.db, "me")).toEqual(["gone"]);
      } finally {
        process.kill(child.pid, "SIGKILL");
      }
    });

    (kind === "postgresql" ? it : () => undefined)("PostgreSQL: a registered worker whose advisory lock nobody holds is dead; one without a lock key is never taken for dead", async () => {
      const lock = await LivenessLock.take(engine.db, () => {}, () => {});
      expect(lock.key).toEqual(expect.any(Number));
      const other = await LivenessLock.take(engine.db, () => {}, () => {});
      expect(other.key).not.toBe(lock.key);
      await registerWorker(engine.db, { ...base, id: "live", host: "h1", pid: 1, lockKey: lock.key });
      await registerWorker(engine.db, { ...base, id: "me", host: "h2", pid: 1, lockKey: other.key });
      await registerWorker(engine.db, { ...base, id: "older-weft", host: "h3", pid: 1, lockKey: null });
      await registerWorker(engine.db, { ...base, id: "unlocked", host: "h4", pid: 1, lockKey: 12345 });
      try {
        expect(await deadWorkers(engine.db, "me")).toEqual(["unlocked"]);
        // Its connection ends (the process died): the server releases its lock at once.
        await lock.release();
        expect((await deadWorkers(engine.db, "me")).sort()).toEqual(["live", "unlocked"]);
      } finally {
        await lock.release();
        await other.release();
      }
    });
  });
});
