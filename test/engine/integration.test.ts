// The durable engine end to end: real `weft worker` processes (spawned with the demo plugin and
// the test plugin) on a fresh SQLite file and on the real PostgreSQL (a fresh schema), driven by
// the Engine API in this process and by the `weft` command. Every scenario runs on both
// databases, except the two-workers-many-runs race, which is PostgreSQL's scale-out path.
//
// The four example documents (examples/, copies of ../shared/examples) are never edited. Where an example waits
// for days (user-onboarding's 7d timer, monthly-statements' start-of-next-month timer, the
// money-transfer approval's 3d timeout) the test deploys a copy of the document with that one
// duration shortened, and says so where it does.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.ts";
import { aesGcmCodec, generateCodecKey, jsonCodec, parseCodecKey } from "../../engine/codec.ts";
import { transpileModule } from "../../engine/deploy.ts";
import { Engine } from "../../engine/engine.ts";
import type { Description, PendingItem } from "../../engine/run-views.ts";
import { loadHistory } from "../../engine/history-store.ts";
import type { RecordedEvent } from "../../engine/runtime/events.ts";
import {
  childEnv,
  createTestDatabase,
  describeForFailure,
  readExample,
  readJsonLines,
  runWeft,
  sleep,
  waitFor,
  waitForEnd,
  waitForPending,
  WorkerPool,
  type DbKind,
  type TestDatabase,
} from "./harness.ts";
import { line, type Doc } from "./documents.ts";

/** Lease length for the workers: short, so that a killed worker's work is retaken quickly. */
const LEASE_MS = 1500;
/** History length bound for the workers, so that a loop continues as new after a few rounds. */
const HISTORY_LIMIT = 20;
/** Workers kept running in each database suite. */
const WORKERS = 2;
/** Runs of the 3-step workflow two PostgreSQL workers share (enough for them to contend). */
const RACE_RUNS = 80;

// ------------------------------------------------------------------------------------------------
// Test documents


const retryDoc = line("retry-test", [
  {
    id: "flaky",
    type: "step",
    activity: "test.flaky",
    input: { failures: "=input.failures", log: "=input.log" },
    output: "r",
    retry: { initialInterval: "200ms", backoffCoefficient: 2, maximumAttempts: 5 },
  },
  { id: "done", type: "end", result: "=r" },
]);

const fatalDoc = line("fatal-test", [
  {
    id: "fatal",
    type: "step",
    activity: "test.fatal",
    input: { message: "=input.message" },
    retry: { initialInterval: "200ms", backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrors: ["Fatal"] },
  },
  { id: "done", type: "end", result: "unreachable" },
]);

// risky fails for good after 2 attempts (Fatal is retryable here): its "error" edge leads to recover.
const errorEdgeDoc: Doc = {
  name: "error-edge-test",
  nodes: [
    { id: "start", type: "start" },
    { id: "risky", type: "step", activity: "test.fatal", input: { message: "risky failed" }, retry: { initialInterval: "100ms", maximumAttempts: 2 } },
    { id: "recover", type: "step", activity: "test.echo", input: { recovered: true, via: "error edge" }, output: "r" },
    { id: "ok", type: "end", result: "=r" },
    { id: "bad", type: "end", result: "the plain edge was taken" },
  ],
  edges: [
    { id: "e1", source: "start", target: "risky" },
    { id: "e2", source: "risky", target: "bad" },
    { id: "e3", source: "risky", sourceHandle: "error", target: "recover" },
    { id: "e4", source: "recover", target: "ok" },
  ],
};

const signalDoc = line("signal-test", [
  { id: "wait", type: "signal", signal: "go", output: "payload" },
  { id: "done", type: "end", result: { got: "=payload" } },
]);

const timerThenSignalDoc = line("timer-then-signal", [
  { id: "pause", type: "timer", duration: "100ms" },
  { id: "wait", type: "signal", signal: "go", output: "payload" },
  { id: "done", type: "end", result: { got: "=payload" } },
]);

const crashDoc = line("crash-test", [
  { id: "count", type: "step", activity: "test.count", input: { log: "=input.countLog", value: "counted" }, output: "c" },
  {
    id: "slow",
    type: "step",
    activity: "test.slow",
    input: { ms: "=input.ms", log: "=input.slowLog" },
    output: "s",
    retry: { initialInterval: "100ms", maximumAttempts: 5 },
    timeout: "30s",
  },
  { id: "done", type: "end", result: { c: "=c", s: "=s" } },
]);

const count3Doc = line("count-3", [
  { id: "a", type: "step", activity: "test.count", input: { log: "=input.log", value: 1 }, output: "a1" },
  { id: "b", type: "step", activity: "test.count", input: { log: "=input.log", value: 2 }, output: "b1" },
  { id: "c", type: "step", activity: "test.count", input: { log: "=input.log", value: 3 }, output: "c1" },
  { id: "done", type: "end", result: "=a1 + b1 + c1" },
]);

const sleepyDoc = line("sleepy", [
  { id: "nap", type: "timer", duration: "1h" },
  { id: "done", type: "end", result: "woke" },
]);

/** A run that does one step, waits for the signal "go", does another step and ends. */
function waitingDoc(name: string, firstActivity: "test.echo" | "test.count", countLog?: string): Doc {
  const firstInput = firstActivity === "test.count" ? { log: countLog, value: "a" } : { step: "a" };
  return line(name, [
    { id: "a", type: "step", activity: firstActivity, input: firstInput, output: "first" },
    { id: "wait", type: "signal", signal: "go" },
    { id: "b", type: "step", activity: "test.echo", input: { step: "b" } },
    { id: "done", type: "end", result: "=first" },
  ]);
}

// Copies of the examples with a shortened wait (the documents themselves stay untouched).
function onboardingWith(week: string, name = "user-onboarding"): Doc {
  const doc = readExample("user-onboarding");
  doc.name = name;
  doc.nodes.find((n: Doc) => n.id === "week").duration = week;
  return doc;
}

function monthlyStatementsShort(): Doc {
  const doc = readExample("monthly-statements");
  doc.nodes.find((n: Doc) => n.id === "wait").until = '=addDuration(workflow.now, "100ms")';
  return doc;
}

function transferWithApprovalTimeout(timeout: string): Doc {
  const doc = readExample("money-transfer");
  doc.name = "money-transfer-short-approval";
  doc.nodes.find((n: Doc) => n.id === "review").timeout = timeout;
  return doc;
}

// ------------------------------------------------------------------------------------------------
// Small helpers

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function events(history: RecordedEvent[], type: RecordedEvent["type"], nodeId?: string): any[] {
  return history.filter((e) => e.type === type && (nodeId === undefined || (e as { nodeId?: string }).nodeId === nodeId));
}

async function taskCount(engine: Engine, runId: string): Promise<number> {
  const rows = await engine.db.query("SELECT COUNT(*) AS n FROM task WHERE run_id = ?", [runId]);
  return Number(rows[0].n);
}

function outboxLines(file: string): { to: string; subject: string; body: string }[] {
  return readJsonLines(file);
}

/** Rewrites a compiled module's hash constant (to make a changed module pass for the original). */
function withHash(source: string, fromHash: string, toHash: string): string {
  const declaration = `export const hash = ${JSON.stringify(fromHash)};`;
  expect(source).toContain(declaration);
  return source.replace(declaration, `export const hash = ${JSON.stringify(toHash)};`);
}

function compiled(doc: Doc): { code: string; hash: string } {
  const r = compile(doc, { target: "weft" });
  if (!r.ok) throw new Error(`test document ${doc.name} does not compile: ${JSON.stringify(r.diagnostics)}`);
  return { code: r.code, hash: r.hash };
}

// ------------------------------------------------------------------------------------------------

describe.each(["sqlite", "postgresql"] as DbKind[])("durable execution on %s", (kind) => {
  let db: TestDatabase;
  let engine: Engine;
  let pool: WorkerPool;
  let env: NodeJS.ProcessEnv;
  let outbox: string;
  const logFile = (name: string) => join(db.dir, "logs", `${name}.jsonl`);
  const deployed = new Set<string>();

  async function deploy(doc: Doc): Promise<void> {
    const r = await engine.deploy(doc);
    deployed.add(r.name);
  }

  async function endOf(workflowId: string, timeoutMs = 20_000): Promise<Description> {
    return waitForEnd(engine, workflowId, { timeoutMs, details: () => pool.diagnostics() });
  }

  async function pendingOf(workflowId: string, kindOf: PendingItem["kind"], nodeId?: string): Promise<Description> {
    return waitForPending(engine, workflowId, kindOf, nodeId, { details: () => pool.diagnostics() });
  }

  beforeAll(async () => {
    db = createTestDatabase(kind);
    outbox = join(db.dir, "outbox.jsonl");
    // Opening migrates the fresh database before any worker touches it.
    engine = await Engine.open({ url: db.url, codec: jsonCodec });
    env = childEnv(db.url, { WEFT_LEASE_MS: String(LEASE_MS), WEFT_HISTORY_LIMIT: String(HISTORY_LIMIT), WEFT_OUTBOX: outbox });
    pool = new WorkerPool(kind, env);
    await pool.start(WORKERS);
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
    await pool.ensure(WORKERS);
  });

  // ----------------------------------------------------------------------------------------------
  // 1. The four examples run to the end on the demo plugin

  describe("the examples run to the end", () => {
    it("order-item: init, fulfill, archive; a declined card fails at once (non-retryable PaymentFailed)", async () => {
      await deploy(readExample("order-item"));
      await engine.start("order-item", { workflowId: "order-1", input: { orderId: "o-1", sku: "sku-1", qty: 3 } });
      await engine.start("order-item", { workflowId: "order-2", input: { orderId: "o-2", sku: "declined-card", qty: 1 } });

      const ok = await endOf("order-1");
      expect(ok.status).toBe("completed");
      expect(ok.result).toEqual({ orderId: "o-1", status: "fulfilled" });
      const h = await engine.history("order-1");
      expect(events(h, "ActivityCompleted").map((e) => e.nodeId)).toEqual(["init", "fulfill", "archive"]);

      const bad = await endOf("order-2");
      expect(bad.status).toBe("failed");
      expect(bad.error).toEqual({ type: "PaymentFailed", message: "payment for order o-2 was declined" });
      expect(events(await engine.history("order-2"), "ActivityFailed")).toHaveLength(1);

      // A script that waits for the outcome: exit status 0 when the run completes, 2 when not.
      const waited = await runWeft(["start", "order-item", "--id", "order-3", "--input", JSON.stringify({ orderId: "o-3", sku: "sku-3", qty: 1 }), "--wait", "--json"], env);
      expect(waited).toMatchObject({ code: 0, stderr: "" });
      expect(JSON.parse(waited.stdout)).toEqual({ workflowId: "order-3", runId: expect.any(String), status: "completed", result: { orderId: "o-3", status: "fulfilled" } });
      const declined = await runWeft(["start", "order-item", "--id", "order-4", "--input", JSON.stringify({ orderId: "o-4", sku: "declined-card", qty: 1 }), "--wait"], env);
      expect(declined.code).toBe(2);
      expect(declined.stderr).toBe("weft: order-4 failed: PaymentFailed: payment for order o-4 was declined\n");
    });

    it("user-onboarding (copy: the 7d timer shortened to 1s): active users get tips, idle ones a nudge", async () => {
      await deploy(onboardingWith("1s"));
      const t0 = Date.now();
      await engine.start("user-onboarding", { workflowId: "onboard-ann", input: { email: "ann@example.com" } });
      await engine.start("user-onboarding", { workflowId: "onboard-idle", input: { email: "idle-bob@example.com" } });
      for (const id of ["onboard-ann", "onboard-idle"]) {
        const d = await endOf(id);
        expect(d.status).toBe("completed");
      }
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      const h = await engine.history("onboard-ann");
      const [started] = events(h, "TimerStarted", "week");
      const [fired] = events(h, "TimerFired", "week");
      expect(started.dueAt - started.at).toBe(1000);
      expect(fired.at).toBeGreaterThanOrEqual(started.dueAt);
      expect(events(h, "ActivityCompleted", "check")[0].result).toMatchObject({ userId: "u-ann@example.com", since: expect.any(String) });

      const mail = outboxLines(outbox);
      expect(mail.filter((m) => m.to === "ann@example.com").map((m) => m.subject)).toEqual(["Tips and tricks"]);
      expect(mail.filter((m) => m.to === "idle-bob@example.com").map((m) => m.subject)).toEqual(["We miss you"]);
    });

    it("money-transfer: a small amount transfers without approval", async () => {
      await deploy(readExample("money-transfer"));
      await engine.start("money-transfer", { workflowId: "transfer-small", input: { from: "A-1", to: "B-1", amount: 250 } });
      const d = await endOf("transfer-small");
      expect(d.status).toBe("completed");
      expect(d.result).toEqual({ receipt: { id: expect.stringMatching(/^tx-[0-9a-f]{8}$/), from: "A-1", to: "B-1", amount: 250 } });
      expect(events(await engine.history("transfer-small"), "ApprovalRequested")).toHaveLength(0);
    });

    it("money-transfer: a large amount waits for approval, and approve completes it", async () => {
      await deploy(readExample("money-transfer"));
      const before = Date.now();
      await engine.start("money-transfer", { workflowId: "transfer-approve", input: { from: "A-2", to: "B-2", amount: 50_000 } });
      const waiting = await pendingOf("transfer-approve", "approval", "review");
      const approval = waiting.pending.find((p) => p.kind === "approval")!;
      expect(approval).toMatchObject({ nodeId: "review", title: "Approve transfer", message: "Transfer 50000 from A-2 to B-2", assignees: ["finance"] });
      expect(Date.parse(approval.dueAt!) - before).toBeGreaterThanOrEqual(3 * 86_400_000 - 1000);
      // Nothing moves money before the decision.
      await sleep(300);
      expect(events(await engine.history("transfer-approve"), "ActivityScheduled")).toHaveLength(0);

      // The README's walk-through, through the command: describe, approve, history.
      const described = await runWeft(["describe", "transfer-approve", "--json"], env);
      expect(described.code).toBe(0);
      expect(JSON.parse(described.stdout)).toEqual({
        workflowId: "transfer-approve",
        runId: waiting.runId,
        name: "money-transfer",
        version: expect.any(Number),
        status: "running",
        startedAt: expect.stringMatching(ISO),
        input: { from: "A-2", to: "B-2", amount: 50_000 },
        pending: [{ nodeId: "review", kind: "approval", title: "Approve transfer", message: "Transfer 50000 from A-2 to B-2", assignees: ["finance"], since: expect.stringMatching(ISO), dueAt: approval.dueAt }],
      });
      // The approvals inbox lists it, for its assignees.
      const inbox = await runWeft(["approvals", "--assignee", "finance", "--json"], env);
      expect(JSON.parse(inbox.stdout)).toContainEqual({
        workflowId: "transfer-approve", runId: waiting.runId, nodeId: "review", title: "Approve transfer", message: "Transfer 50000 from A-2 to B-2",
        assignees: ["finance"], since: expect.stringMatching(ISO), dueAt: approval.dueAt,
        // What the approver decides on, and how many must approve (one, with no approval so far).
        name: "money-transfer", input: { from: "A-2", to: "B-2", amount: 50_000 }, quorum: 1, approvals: [],
      });
      expect((await engine.approvals({ assignee: "someone-else" })).map((a) => a.workflowId)).not.toContain("transfer-approve");
      const approved = await runWeft(["approve", "transfer-approve", "--by", "fiona", "--comment", "fine"], env);
      expect(approved).toMatchObject({ code: 0, stderr: "" });
      const d = await endOf("transfer-approve");
      expect(d.status).toBe("completed");
      expect(d.result).toMatchObject({ receipt: { from: "A-2", to: "B-2", amount: 50_000 } });
      const h = await engine.history("transfer-approve");
      expect(events(h, "SignalReceived", "review")[0]).toMatchObject({ signal: "approve", payload: { nodeId: "review", by: "fiona", comment: "fine" } });
      expect((await engine.approvals()).map((a) => a.workflowId)).not.toContain("transfer-approve");
      const printed = await runWeft(["history", "transfer-approve", "--json"], env);
      expect(printed.code).toBe(0);
      const list = JSON.parse(printed.stdout);
      expect(list.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual(h.map((e) => [e.seq, e.type]));
      expect(list.find((e: { type: string }) => e.type === "ActivityStarted")).toMatchObject({ nodeId: "transfer", attempt: 1, at: expect.stringMatching(ISO), startedAt: expect.stringMatching(ISO) });
      expect(list.find((e: { type: string }) => e.type === "ApprovalRequested")).toMatchObject({ nodeId: "review", dueAt: approval.dueAt });
      expect((await engine.query("transfer-approve", "state")) as object).toMatchObject({
        vars: { decision: { approved: true, by: "fiona", comment: "fine", at: expect.any(String) } },
      });
    });

    it("money-transfer: decline (sent before the approval is even requested) fails with the declined end's message", async () => {
      await deploy(readExample("money-transfer"));
      await engine.start("money-transfer", { workflowId: "transfer-decline", input: { from: "A-3", to: "B-3", amount: 20_000 } });
      // Addressed to the node, the decision waits in the inbox until the approval takes it. Sent
      // as the approvals' signal (`decline`, payload { nodeId, by, comment }), as Temporal's
      // export receives it too.
      const sent = await runWeft(["signal", "transfer-decline", "decline", "--payload", JSON.stringify({ nodeId: "review", by: "carol", comment: "too big" })], env);
      expect(sent).toMatchObject({ code: 0, stderr: "" });
      const d = await endOf("transfer-decline");
      expect(d.status).toBe("failed");
      expect(d.error).toEqual({ type: "WorkflowFailed", message: "declined by carol" });
      const h = await engine.history("transfer-decline");
      expect(events(h, "ActivityScheduled").map((e) => e.activity)).toEqual(["notify.email"]);
      expect(outboxLines(outbox).filter((m) => m.to === "A-3")).toEqual([
        expect.objectContaining({ subject: "Transfer declined", body: "Declined by carol: too big" }),
      ]);
    });

    it("money-transfer (copy: the 3d approval timeout shortened to 1s): the approval times out", async () => {
      await deploy(transferWithApprovalTimeout("1s"));
      await engine.start("money-transfer-short-approval", { workflowId: "transfer-timeout", input: { from: "A-4", to: "B-4", amount: 99_999 } });
      const d = await endOf("transfer-timeout");
      expect(d.status).toBe("failed");
      expect(d.error).toEqual({ type: "WorkflowFailed", message: "approval timed out" });
      const h = await engine.history("transfer-timeout");
      expect(events(h, "WaitTimedOut", "review")).toHaveLength(1);
      expect(events(h, "ActivityScheduled")).toHaveLength(0);
      // A decision after the end is refused.
      await expect(engine.decide("transfer-timeout", "approve", { nodeId: "review" })).rejects.toMatchObject({ code: "NOT_RUNNING" });
    });

    it("monthly-statements (copy: the start-of-next-month timer shortened to 100ms) bills period after period", async () => {
      await deploy(monthlyStatementsShort());
      await engine.start("monthly-statements", { workflowId: "statements-1", input: { customerId: "cust-1", email: "cust-1@example.com" } });
      const mails = await waitFor(
        "three statements in the outbox",
        () => {
          const m = outboxLines(outbox).filter((x) => x.to === "cust-1@example.com");
          return m.length >= 3 ? m : undefined;
        },
        { timeoutMs: 20_000, details: () => pool.diagnostics() },
      );
      for (const m of mails) {
        expect(m.subject).toBe("Your statement");
        expect(m.body).toMatch(/^Amount due: \d+(\.\d+)?$/);
      }
      await engine.terminate("statements-1", "test over");
      expect((await engine.describe("statements-1")).status).toBe("terminated");
    });
  });

  // ----------------------------------------------------------------------------------------------
  // 2–4. Retries, non-retryable errors, the error edge

  it("retries with the policy's delays (200, 400, 800 ms) and describe shows the attempt, last error and next attempt", async () => {
    await deploy(retryDoc);
    const log = logFile("retry");
    await engine.start("retry-test", { workflowId: "retry-1", input: { failures: 3, log } });

    // Watch describe while the step retries.
    const seen: PendingItem[] = [];
    let d: Description;
    const deadline = Date.now() + 20_000;
    for (;;) {
      d = await engine.describe("retry-1");
      if (d.status !== "running") break;
      seen.push(...d.pending.filter((p) => p.nodeId === "flaky"));
      if (Date.now() > deadline) throw new Error(`retry-1 did not end:\n${pool.diagnostics()}`);
      await sleep(15);
    }
    expect(d.status).toBe("completed");
    expect(d.result).toEqual({ attempts: 4 });

    const attempts = readJsonLines<{ attempt: number; at: number }>(log);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    const expected = [200, 400, 800];
    gaps.forEach((gap, i) => {
      // Never early; late by at most a loaded machine's scheduling slack.
      expect(gap).toBeGreaterThanOrEqual(expected[i] - 5);
      expect(gap).toBeLessThan(expected[i] + 500);
    });
    expect(gaps[2]).toBeGreaterThan(gaps[0] + 300); // the delays grow

    // The history records each failure with the time of the next attempt.
    const h = await engine.history("retry-1");
    const failed = events(h, "ActivityFailed", "flaky");
    expect(failed.map((e) => e.attempt)).toEqual([1, 2, 3]);
    failed.forEach((e, i) => {
      expect(e.error).toEqual({ type: "Flaky", message: `attempt ${i + 1} of 4 fails on purpose` });
      const delay = e.nextAttemptAt - attempts[i].at;
      expect(delay).toBeGreaterThanOrEqual(expected[i]);
      expect(delay).toBeLessThan(expected[i] + 250);
    });
    expect(events(h, "ActivityCompleted", "flaky")).toEqual([expect.objectContaining({ attempt: 4, result: { attempts: 4 } })]);
    // Each attempt's start, with the worker that ran it, just before its outcome.
    const started = events(h, "ActivityStarted", "flaky");
    expect(started.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    started.forEach((e, i) => {
      expect(h[h.indexOf(e) + 1]).toMatchObject({ type: i < 3 ? "ActivityFailed" : "ActivityCompleted", attempt: e.attempt });
      expect(e.worker).toMatch(/^[^:]+:\d+:/);
      expect(Math.abs(e.startedAt - attempts[i].at)).toBeLessThan(100);
      expect(e.startedAt).toBeLessThanOrEqual(e.at);
    });

    // What describe showed between attempts.
    const retrying = seen.filter((p) => (p.attempt ?? 1) >= 2);
    expect(retrying.length).toBeGreaterThan(0);
    for (const p of retrying) {
      expect(p).toMatchObject({ kind: "activity", activity: "test.flaky", lastError: { type: "Flaky", message: expect.stringContaining("fails on purpose") } });
      // attempt k is due at the time the failure of attempt k-1 recorded.
      expect(p.nextAttemptAt).toBe(new Date(failed[p.attempt! - 2].nextAttemptAt).toISOString());
      expect(p.lastError!.message).toBe(`attempt ${p.attempt! - 1} of 4 fails on purpose`);
    }
  });

  it("a retried attempt gets what the failed one last reported with ctx.heartbeat(details), and carries on from there", async () => {
    const log = logFile("progress");
    await deploy(line("progress-test", [
      { id: "work", type: "step", activity: "test.progress", input: { items: 12, failAfter: 7, log }, retry: { initialInterval: "50ms" }, output: "r" },
      { id: "done", type: "end", result: "=r" },
    ]));
    await engine.start("progress-test", { workflowId: "progress-1" });
    const d = await endOf("progress-1");
    expect(d).toMatchObject({ status: "completed", result: { from: 7, items: 12 } });
    // Every item handled once: 0-6 by the first attempt, 7-11 by the second.
    const lines = readJsonLines<{ attempt: number; item: number }>(log);
    expect(lines.map((l) => [l.attempt, l.item])).toEqual([...Array.from({ length: 7 }, (_, i) => [1, i]), ...Array.from({ length: 5 }, (_, i) => [2, 7 + i])]);
  });

  it("a non-retryable error fails the run at once, after one attempt, with the activity's error", async () => {
    await deploy(fatalDoc);
    await engine.start("fatal-test", { workflowId: "fatal-1", input: { message: "the card reader is on fire" } });
    const d = await endOf("fatal-1");
    expect(d.status).toBe("failed");
    expect(d.error).toEqual({ type: "Fatal", message: "the card reader is on fire" });
    const h = await engine.history("fatal-1");
    const failed = events(h, "ActivityFailed", "fatal");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempt: 1, error: { type: "Fatal" } });
    expect(failed[0].nextAttemptAt).toBeUndefined();
    expect(h.at(-1)).toMatchObject({ type: "WorkflowFailed", nodeId: "fatal", error: { type: "Fatal", message: "the card reader is on fire" } });
  });

  it("a step whose input does not match its activity's inputSchema fails at once, whatever its retry policy, naming the field", async () => {
    await deploy(line("bad-input-test", [
      { id: "wait", type: "step", activity: "test.slow", input: { ms: "=input.ms" }, retry: { initialInterval: "100ms", maximumAttempts: 5 } },
      { id: "done", type: "end" },
    ]));
    await engine.start("bad-input-test", { workflowId: "bad-input-1", input: { ms: "a while" } });
    const d = await endOf("bad-input-1");
    expect(d).toMatchObject({ status: "failed", error: { type: "InvalidActivityInput", message: "step wait gives test.slow an input that does not match its inputSchema: input.ms must be number" } });
    const failed = events(await engine.history("bad-input-1"), "ActivityFailed", "wait");
    expect(failed).toEqual([expect.objectContaining({ attempt: 1, error: expect.objectContaining({ type: "InvalidActivityInput" }) })]);
    expect(failed[0].nextAttemptAt).toBeUndefined();
  });

  it("weft retry: a run that failed at a step carries on in a new run from that step, once what failed is fixed; nothing that completed runs again", async () => {
    const count = logFile("retry-run-count");
    const open = join(db.dir, "retry-run-open");
    await deploy(line("retry-run-test", [
      { id: "count", type: "step", activity: "test.count", input: { log: count, value: 1 }, output: "n" },
      { id: "gate", type: "step", activity: "test.gate", input: { open }, retry: { initialInterval: "50ms", maximumAttempts: 2 } },
      { id: "done", type: "end", result: { n: "=n" } },
    ]));
    await deploy(line("ends-failed", [{ id: "no", type: "end", status: "failed", error: "not today" }]));

    const { runId: failedRun } = await engine.start("retry-run-test", { workflowId: "retry-run-1" });
    const failed = await endOf("retry-run-1");
    expect(failed).toMatchObject({ status: "failed", error: { type: "Closed" } });
    const failedHistory = await engine.history("retry-run-1");

    // Only a run that failed at a step can be retried.
    await engine.start("ends-failed", { workflowId: "ends-failed-1" });
    expect((await endOf("ends-failed-1")).status).toBe("failed");
    const refused = await runWeft(["retry", "ends-failed-1"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('weft: workflow "ends-failed-1" failed at its node "no" (WorkflowFailed: not today), not at a step whose attempts ran out: a retry would end the same way\n');

    // The system comes back; the operator retries.
    writeFileSync(open, "");
    const retried = await runWeft(["retry", "retry-run-1", "--json"], env);
    expect(retried).toMatchObject({ code: 0, stderr: "" });
    const { runId } = JSON.parse(retried.stdout);
    expect(JSON.parse(retried.stdout)).toEqual({ workflowId: "retry-run-1", runId: expect.any(String), retriedFromRunId: failedRun, nodeId: "gate" });
    expect(runId).not.toBe(failedRun);
    const done = await endOf("retry-run-1");
    expect(done).toMatchObject({ runId, status: "completed", result: { n: 1 }, retriedFromRunId: failedRun });
    expect(readJsonLines(count)).toHaveLength(1); // the step before ran once, in the failed run

    // The new run's history: the failed run's up to where the step was scheduled, then the step
    // from attempt 1. The failed run keeps its own history.
    const h = await engine.history("retry-run-1");
    const upTo = failedHistory.findIndex((e) => e.type === "ActivityScheduled" && e.nodeId === "gate");
    expect(h.slice(1, upTo + 1)).toEqual(failedHistory.slice(1, upTo + 1));
    expect(h[0]).toMatchObject({ type: "WorkflowStarted", runId, retriedFromRunId: failedRun });
    expect(h.slice(upTo + 1).map((e) => [e.type, "attempt" in e ? e.attempt : undefined])).toEqual([
      ["ActivityStarted", 1],
      ["ActivityCompleted", 1],
      ["WorkflowCompleted", undefined],
    ]);
    expect(await loadHistory(engine.db, engine.codec, failedRun)).toEqual(failedHistory);

    // A run that is not failed is refused.
    const again = await runWeft(["retry", "retry-run-1"], env);
    expect(again.stderr).toBe('weft: workflow "retry-run-1" is completed: only a failed run can be retried\n');
  });

  it("a step that fails for good takes its error edge, and that path completes", async () => {
    await deploy(errorEdgeDoc);
    await engine.start("error-edge-test", { workflowId: "edge-1" });
    const d = await endOf("edge-1");
    expect(d.status).toBe("completed");
    expect(d.result).toEqual({ recovered: true, via: "error edge" });
    const h = await engine.history("edge-1");
    const failed = events(h, "ActivityFailed", "risky");
    expect(failed.map((e) => e.attempt)).toEqual([1, 2]); // the retries were spent first
    expect(failed[1].nextAttemptAt).toBeUndefined();
    expect(h.at(-1)).toMatchObject({ type: "WorkflowCompleted", nodeId: "ok" });
  });

  // ----------------------------------------------------------------------------------------------
  // 5. Signals are durable even with no worker

  it("a signal sent (with `weft signal`) while no worker runs is delivered once a worker starts", async () => {
    await deploy(signalDoc);
    const { runId } = await engine.start("signal-test", { workflowId: "signal-1" });
    await pendingOf("signal-1", "signal", "wait");

    await pool.stopAll();
    expect(pool.running).toHaveLength(0);
    // Workers that stopped have left the registry.
    expect(JSON.parse((await runWeft(["workers", "--json"], env)).stdout)).toEqual([]);
    const payload = { approvedBy: "dora", items: [1, 2, 3], note: "ünïcode ✓" };
    const sent = await runWeft(["signal", "signal-1", "go", "--payload", JSON.stringify(payload), "--json"], env);
    expect(sent.stderr).toBe("");
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ workflowId: "signal-1", runId, signal: "go" });

    // Stored, not yet delivered.
    const stored = await engine.db.query("SELECT name, consumed_seq FROM signal WHERE run_id = ?", [runId]);
    expect(stored).toEqual([{ name: "go", consumed_seq: null }]);
    await sleep(300);
    expect((await engine.describe("signal-1")).status).toBe("running");

    const [worker] = await pool.start(1);
    const listed = await runWeft(["workers", "--json"], env);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ pid: worker!.pid, activities: expect.arrayContaining(["orders.init", "bank.transfer", "test.flaky"]) })]);
    const d = await endOf("signal-1");
    expect(d.status).toBe("completed");
    expect(d.result).toEqual({ got: payload });
    const consumed = await engine.db.query("SELECT consumed_seq FROM signal WHERE run_id = ?", [runId]);
    expect(consumed[0].consumed_seq).not.toBeNull();
  });

  it("signal-with-start (`weft signal ID NAME --start WORKFLOW`): starts the entity's run when none is open, else signals the open one", async () => {
    await deploy(signalDoc);
    const first = await runWeft(["signal", "entity-1", "go", "--payload", '{"n":1}', "--start", "signal-test", "--json"], env);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(first.stdout)).toEqual({ workflowId: "entity-1", runId: expect.any(String), signal: "go", started: true });
    expect(await endOf("entity-1")).toMatchObject({ status: "completed", result: { got: { n: 1 } } });

    // With a run open, the same call signals it and starts nothing.
    const { runId } = await engine.start("signal-test", { workflowId: "entity-2" });
    expect(await engine.signalWithStart("entity-2", "go", { n: 2 }, { workflow: "signal-test" })).toEqual({ workflowId: "entity-2", runId, started: false });
    expect(await endOf("entity-2")).toMatchObject({ runId, status: "completed", result: { got: { n: 2 } } });

    // A signal the workflow never waits for starts nothing.
    await expect(engine.signalWithStart("entity-3", "stop", null, { workflow: "signal-test" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(engine.describe("entity-3")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("signals reach runs that several workers advanced in turn (no worker acts on a stale copy of a run)", async () => {
    // The worker that starts a run keeps it cached at its timer; the timer may fire on the other
    // worker. A worker that then takes the signal's wake-up with its stale copy must not consume
    // it without delivering the signal.
    await pool.ensure(2);
    await deploy(timerThenSignalDoc);
    const ids = Array.from({ length: 12 }, (_, i) => `relay-${i}`);
    for (const id of ids) await engine.start("timer-then-signal", { workflowId: id });
    for (const id of ids) await pendingOf(id, "signal", "wait");
    for (const [i, id] of ids.entries()) await engine.signal(id, "go", { n: i });
    for (const [i, id] of ids.entries()) {
      const d = await endOf(id, 15_000);
      expect(d.status).toBe("completed");
      expect(d.result).toEqual({ got: { n: i } });
    }
  });

  // ----------------------------------------------------------------------------------------------
  // 6. A worker killed mid-activity

  it(
    "a worker killed with SIGKILL mid-activity: the run completes on another worker, the completed step does not run again",
    async () => {
      await deploy(crashDoc);
      const countLog = logFile("crash-count");
      const slowLog = logFile("crash-slow");
      await engine.start("crash-test", { workflowId: "crash-1", input: { countLog, slowLog, ms: 2500 } });

      const first = await waitFor("the slow step to start", () => readJsonLines<{ event: string; pid: number }>(slowLog).find((l) => l.event === "start"), {
        details: () => pool.diagnostics(),
      });
      const victim = pool.byPid(first.pid);
      expect(victim, `the slow step runs in pid ${first.pid}, which is not one of our workers`).toBeDefined();
      await sleep(300);
      await victim!.kill();
      expect(victim!.alive).toBe(false);

      const d = await endOf("crash-1", 30_000);
      expect(d.status).toBe("completed");
      expect(d.result).toEqual({ c: "counted", s: { waited: 2500 } });

      // The step that had completed before the crash ran once; the interrupted one ran again,
      // on a live worker (at least once).
      expect(readJsonLines(countLog)).toHaveLength(1);
      const slow = readJsonLines<{ event: string; pid: number }>(slowLog);
      const starts = slow.filter((l) => l.event === "start");
      expect(starts.length).toBeGreaterThanOrEqual(2);
      const done = slow.filter((l) => l.event === "done");
      expect(done).toHaveLength(1);
      expect(done[0].pid).not.toBe(victim!.pid);
      expect(pool.running.map((w) => w.pid)).toContain(done[0].pid);

      // Recorded exactly once each.
      const h = await engine.history("crash-1");
      expect(events(h, "ActivityCompleted").map((e) => e.nodeId)).toEqual(["count", "slow"]);
    },
    45_000,
  );

  // ----------------------------------------------------------------------------------------------
  // 7. Two workers on one PostgreSQL database

  // Only PostgreSQL is shared by workers on several machines; the SQLite suite leaves the case
  // out rather than counting it as skipped.
  (kind === "postgresql" ? it : () => undefined)(
    "two workers on one database run every activity attempt exactly once (80 runs of 3 steps)",
    async () => {
      // Two workers of their own, each running at most 3 activities at once: a worker runs the
      // activities it schedules itself while it has room, so with room for all (the default 100)
      // one worker would take nearly every run; with 3, most activity tasks go through the
      // shared queue, where both workers claim them.
      await pool.stopAll();
      const pair = await pool.start(2, ["--concurrency", "3"]);
      try {
        await deploy(count3Doc);
        const log = logFile("count3");
        const ids = Array.from({ length: RACE_RUNS }, (_, i) => `count3-${i}`);
        await Promise.all(ids.map((id) => engine.start("count-3", { workflowId: id, input: { log } })));
        for (const id of ids) {
          const d = await endOf(id, 30_000);
          expect(d.status, id).toBe("completed");
          expect(d.result).toBe(6);
          expect(events(await engine.history(id), "ActivityCompleted").map((e) => e.nodeId)).toEqual(["a", "b", "c"]);
        }
        const lines = readJsonLines<{ workflowId: string; nodeId: string; attempt: number; pid: number }>(log);
        const keys = lines.map((l) => `${l.workflowId}/${l.nodeId}/${l.attempt}`);
        const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
        expect(duplicates, JSON.stringify(lines.filter((l) => duplicates.includes(`${l.workflowId}/${l.nodeId}/${l.attempt}`)))).toEqual([]);
        expect(lines).toHaveLength(3 * RACE_RUNS);
        expect(lines.every((l) => l.attempt === 1)).toBe(true);
        // Both workers ran some of them, and nobody else did.
        const byPid = new Map<number, number>();
        for (const l of lines) byPid.set(l.pid, (byPid.get(l.pid) ?? 0) + 1);
        expect([...byPid.keys()].sort()).toEqual(pair.map((w) => w.pid).sort());
        console.info(`[postgresql] ${lines.length} activities by worker pid: ${JSON.stringify(Object.fromEntries(byPid))}`);
      } finally {
        await Promise.all(pair.map((w) => w.stop()));
      }
    },
    60_000,
  );

  // ----------------------------------------------------------------------------------------------
  // 8. Non-determinism, and a module whose hash differs

  it(
    "a run resumed on changed module code is held with its NonDeterminismError, not failed; on a module with another hash it is not resumed",
    async () => {
      const original = waitingDoc("nd-test", "test.echo");
      const changed = waitingDoc("nd-test", "test.count", logFile("nd-count")); // same name, another activity at node a
      const hashOriginal = waitingDoc("hash-test", "test.echo");
      const hashChanged = waitingDoc("hash-test", "test.count", logFile("hash-count"));
      await deploy(original);
      await deploy(hashOriginal);
      await engine.start("nd-test", { workflowId: "nd-1" });
      await engine.start("hash-test", { workflowId: "hash-1" });
      await pendingOf("nd-1", "signal", "wait");
      await pendingOf("hash-1", "signal", "wait");

      // No worker may keep the runs cached: stop them all, then change the stored code.
      await pool.stopAll();
      const a = compiled(original);
      const b = compiled(changed);
      expect(b.hash).not.toBe(a.hash);
      // The changed module claims the original's hash, so that only replay can notice.
      const impostor = transpileModule(withHash(b.code, b.hash, a.hash), "nd-test.ts");
      expect(await engine.db.execute("UPDATE workflow_version SET code = ? WHERE name = ? AND version = ?", [impostor, "nd-test", 1])).toBe(1);
      // This one keeps its own hash: the engine must refuse to resume on it.
      const other = transpileModule(compiled(hashChanged).code, "hash-test.ts");
      expect(await engine.db.execute("UPDATE workflow_version SET code = ? WHERE name = ? AND version = ?", [other, "hash-test", 1])).toBe(1);

      const hashBefore = await engine.history("hash-1");
      await engine.signal("nd-1", "go");
      await engine.signal("hash-1", "go");
      await pool.start(WORKERS);

      // Held where its code parts from its history, not failed: still running, and describe
      // says where and why (issue 10: a failure would be for good, a deploy can fix this).
      const d = await waitFor("nd-1 to be held", async () => {
        const x = await engine.describe("nd-1");
        if (x.status !== "running") throw new Error(`nd-1 ended (${x.status}: ${JSON.stringify(x.error)}) instead of being held`);
        return x.held ? x : undefined;
      }, { details: () => pool.diagnostics() });
      expect(d.held).toMatchObject({ nodeId: "a", version: 1 });
      expect(d.pending[0]).toMatchObject({ kind: "held", nodeId: "a" });
      // It names the history event and both commands.
      const scheduled = events(await engine.history("nd-1"), "ActivityScheduled", "a")[0];
      expect(d.held!.reason).toContain(`history event ${scheduled.seq}`);
      expect(d.held!.reason).toContain('ActivityScheduled(node "a", activity "test.echo")');
      expect(d.held!.reason).toContain('ActivityScheduled(node "a", activity "test.count")');
      // And says them as fields, for the run view to put in words.
      expect(d.held).toMatchObject({
        code: "COMMAND_CHANGED",
        seq: scheduled.seq,
        expected: { type: "ActivityScheduled", nodeId: "a", activity: "test.echo" },
        actual: { type: "ActivityScheduled", nodeId: "a", activity: "test.count" },
      });
      expect((await engine.history("nd-1")).some((e) => e.type === "WorkflowFailed")).toBe(false);
      // The changed code's activity never ran.
      expect(readJsonLines(logFile("nd-count"))).toHaveLength(0);
      await engine.terminate("nd-1", "test over");

      // The other run: not advanced, even after a lease has come and gone.
      await sleep(LEASE_MS + 1000);
      const h = await engine.describe("hash-1");
      expect(h.status).toBe("running");
      expect(await engine.history("hash-1")).toEqual(hashBefore);
      const [sig] = await engine.db.query("SELECT consumed_seq FROM signal WHERE run_id = ?", [h.runId]);
      expect(sig.consumed_seq).toBeNull();
      expect(pool.diagnostics(100_000)).toMatch(/refusing to resume/);
      expect(readJsonLines(logFile("hash-count"))).toHaveLength(0);
      await engine.terminate("hash-1", "test over");
    },
    45_000,
  );

  it(
    "a version deployed --compatible-with an older one takes over that version's waiting runs; without the declaration they stay on their code",
    async () => {
      // Versions differ only after the wait, so that each replays the others' histories up to it.
      const versionDoc = (b: Doc) =>
        line("compat-test", [
          { id: "a", type: "step", activity: "test.echo", input: { step: "a" }, output: "first" },
          { id: "wait", type: "signal", signal: "go" },
          { id: "b", type: "step", ...b },
          { id: "done", type: "end", result: "=first" },
        ]);
      const v2Log = logFile("compat-v2");
      const v3Log = logFile("compat-v3");
      expect((await engine.deploy(versionDoc({ activity: "test.echo", input: { step: "b" } }))).version).toBe(1);
      await engine.start("compat-test", { workflowId: "compat-1" });
      await pendingOf("compat-1", "signal", "wait");

      // Version 2, not declared compatible: the run on version 1 finishes on version 1's code.
      expect((await engine.deploy(versionDoc({ activity: "test.count", input: { log: v2Log, value: "v2" } }))).version).toBe(2);
      await engine.signal("compat-1", "go");
      expect((await endOf("compat-1")).status).toBe("completed");
      expect(events(await engine.history("compat-1"), "ActivityScheduled", "b")[0].activity).toBe("test.echo");
      expect(readJsonLines(v2Log)).toHaveLength(0);

      // A run on version 2 waits; version 3 is declared compatible with 2 while workers hold
      // the run in memory. Within a second they see the declaration; the run then goes on
      // with version 3's code.
      await engine.start("compat-test", { workflowId: "compat-2" });
      await pendingOf("compat-2", "signal", "wait");
      const v3 = await engine.deploy(versionDoc({ activity: "test.count", input: { log: v3Log, value: "v3" } }), { compatibleWith: 2 });
      expect(v3.version).toBe(3);
      await sleep(1500);
      await engine.signal("compat-2", "go");
      expect((await endOf("compat-2")).status).toBe("completed");
      expect(readJsonLines(v3Log)).toHaveLength(1);
      expect(readJsonLines(v2Log)).toHaveLength(0);
      // Ended, it says the version whose code it ran on and the one it started on; its history
      // shows the new code's step.
      expect(await engine.describe("compat-2")).toMatchObject({ version: 3, startedVersion: 2 });
      expect(events(await engine.history("compat-2"), "ActivityScheduled", "b")[0].input).toMatchObject({ value: "v3" });
    },
    30_000,
  );

  // ----------------------------------------------------------------------------------------------
  // 9. Cancel, terminate, and workflow id uniqueness

  it("cancel aborts the attempt under way: the activity's AbortSignal fires at its next heartbeat, and nothing more is recorded", async () => {
    const log = logFile("cancel-abort");
    await deploy(line("cancel-abort-test", [
      { id: "slow", type: "step", activity: "test.slow", input: { ms: 60_000, log } },
      { id: "done", type: "end" },
    ]));
    await engine.start("cancel-abort-test", { workflowId: "cancel-abort-1" });
    await pendingOf("cancel-abort-1", "activity", "slow");
    await waitFor("the attempt to start", () => readJsonLines<{ event: string }>(log).some((l) => l.event === "start"), { details: () => pool.diagnostics() });
    const cancelled = await runWeft(["cancel", "cancel-abort-1"], env);
    expect(cancelled.code).toBe(0);
    const aborted = await waitFor("the attempt to be aborted", () => readJsonLines<{ event: string; reason: string; at: number }>(log).find((l) => l.event === "aborted"), {
      timeoutMs: 5000,
      details: () => pool.diagnostics(),
    });
    expect(aborted.reason).toMatch(/no longer wanted/);
    await sleep(300);
    const h = await engine.history("cancel-abort-1");
    expect(h.at(-1)).toMatchObject({ type: "WorkflowCancelled" });
    expect(events(h, "ActivityFailed")).toEqual([]);
    expect(events(h, "ActivityStarted")).toEqual([]);
  });

  it("cancel and terminate end a run, drop its pending work, refuse later signals; an open workflow id cannot start twice", async () => {
    await deploy(sleepyDoc);
    const first = await engine.start("sleepy", { workflowId: "sleepy-1" });
    await pendingOf("sleepy-1", "timer", "nap");
    expect(await taskCount(engine, first.runId)).toBeGreaterThan(0);

    // A second open run with the same id is refused, by the API and by the command.
    await expect(engine.start("sleepy", { workflowId: "sleepy-1" })).rejects.toMatchObject({ code: "CONFLICT" });
    const again = await runWeft(["start", "sleepy", "--id", "sleepy-1"], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toMatch(/already has an open run/);

    await engine.cancel("sleepy-1", "changed my mind");
    let d = await engine.describe("sleepy-1");
    expect(d).toMatchObject({ runId: first.runId, status: "cancelled", pending: [] });
    expect(await taskCount(engine, first.runId)).toBe(0);
    expect((await engine.history("sleepy-1")).at(-1)).toMatchObject({ type: "WorkflowCancelled", reason: "changed my mind" });
    await expect(engine.signal("sleepy-1", "go")).rejects.toMatchObject({ code: "NOT_RUNNING" });
    await expect(engine.cancel("sleepy-1")).rejects.toMatchObject({ code: "NOT_RUNNING" });
    const late = await runWeft(["signal", "sleepy-1", "go"], env);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/has ended \(cancelled\)/);

    // Once it has ended, the id may start again.
    const second = await engine.start("sleepy", { workflowId: "sleepy-1" });
    expect(second.runId).not.toBe(first.runId);
    await pendingOf("sleepy-1", "timer", "nap");
    await engine.terminate("sleepy-1", "stop");
    d = await engine.describe("sleepy-1");
    expect(d).toMatchObject({ runId: second.runId, status: "terminated", pending: [] });
    expect(await taskCount(engine, second.runId)).toBe(0);
    expect((await engine.history("sleepy-1")).at(-1)).toMatchObject({ type: "WorkflowTerminated", reason: "stop" });
    await expect(engine.signal("sleepy-1", "go")).rejects.toMatchObject({ code: "NOT_RUNNING" });

    // The workers leave ended runs alone.
    await sleep(300);
    expect((await engine.describe("sleepy-1")).status).toBe("terminated");
    const third = await engine.start("sleepy", { workflowId: "sleepy-1" });
    await engine.terminate("sleepy-1");
    expect(third.runId).not.toBe(second.runId);
  });

  // ----------------------------------------------------------------------------------------------
  // 10. The payload codec

  it(
    "with WEFT_CODEC_KEY set, a raw read of every table finds no payload in plaintext; describe still decodes",
    async () => {
      // Its own database: every process sharing a database must use the same key.
      const cdb = createTestDatabase(kind);
      const key = generateCodecKey();
      const cenv = childEnv(cdb.url, { WEFT_LEASE_MS: String(LEASE_MS), WEFT_CODEC_KEY: key, WEFT_OUTBOX: join(cdb.dir, "outbox.jsonl") });
      const cengine = await Engine.open({ url: cdb.url, codec: aesGcmCodec(parseCodecKey(key)) });
      const cpool = new WorkerPool(`${kind}-codec`, cenv);
      try {
        await cpool.start(1);
        await cengine.deploy(readExample("money-transfer"));
        await cengine.deploy(line("codec-slow", [
          { id: "slow", type: "step", activity: "test.slow", input: { ms: 30_000, note: "=input.note" } },
          { id: "nudged", type: "signal", signal: "nudge" },
          { id: "done", type: "end" },
        ]));
        const secrets = ["ACCT-SECRET-123", "ACCT-SECRET-456", "ACCT-SECRET-789", "ACCT-SECRET-999", "4242.17", "98765.43", "55555.55", "COMMENT-SECRET-555", "APPROVER-SECRET-666", "SIGNAL-SECRET-777", "TASK-SECRET-888"];

        await cengine.start("money-transfer", { workflowId: "codec-small", input: { from: "ACCT-SECRET-123", to: "ACCT-SECRET-456", amount: 4242.17 } });
        await cengine.start("money-transfer", { workflowId: "codec-large", input: { from: "ACCT-SECRET-123", to: "ACCT-SECRET-789", amount: 98_765.43 } });
        await cengine.start("money-transfer", { workflowId: "codec-pending", input: { from: "ACCT-SECRET-123", to: "ACCT-SECRET-999", amount: 55_555.55 } });
        await cengine.start("codec-slow", { workflowId: "codec-slow", input: { note: "TASK-SECRET-888" } });
        await waitForPending(cengine, "codec-large", "approval", "review", { details: () => cpool.diagnostics() });
        await cengine.decide("codec-large", "approve", { by: "APPROVER-SECRET-666", comment: "COMMENT-SECRET-555" });
        await cengine.signal("codec-slow", "nudge", { note: "SIGNAL-SECRET-777" }); // stays in the inbox while "slow" runs
        const small = await waitForEnd(cengine, "codec-small", { details: () => cpool.diagnostics() });
        const large = await waitForEnd(cengine, "codec-large", { details: () => cpool.diagnostics() });
        await waitForPending(cengine, "codec-pending", "approval", "review", { details: () => cpool.diagnostics() });
        await waitForPending(cengine, "codec-slow", "activity", "slow", { details: () => cpool.diagnostics() });
        // describe names the worker running the attempt.
        expect((await cengine.describe("codec-slow")).pending).toEqual([
          expect.objectContaining({ nodeId: "slow", kind: "activity", attempt: 1, worker: expect.stringContaining(`:${cpool.running[0]!.pid}:`) }),
        ]);

        // Decoded through the API.
        expect(small.result).toMatchObject({ receipt: { from: "ACCT-SECRET-123", to: "ACCT-SECRET-456", amount: 4242.17 } });
        expect(large.result).toMatchObject({ receipt: { from: "ACCT-SECRET-123", to: "ACCT-SECRET-789", amount: 98_765.43 } });
        expect(events(await cengine.history("codec-large"), "SignalReceived")[0].payload).toMatchObject({ by: "APPROVER-SECRET-666", comment: "COMMENT-SECRET-555" });

        // Raw reads: every table that holds payloads, every column.
        const tables: Record<string, unknown[]> = {};
        for (const table of ["run", "history_event", "task", "signal"]) tables[table] = await cengine.db.query(`SELECT * FROM ${table}`);
        expect(tables.run).toHaveLength(4);
        expect(tables.task.length).toBeGreaterThanOrEqual(2); // the approval's timeout timer and the slow activity
        expect(tables.signal).toHaveLength(2);
        expect(tables.history_event.length).toBeGreaterThan(10);
        for (const [table, rows] of Object.entries(tables)) {
          const text = JSON.stringify(rows);
          for (const secret of secrets) expect(text.includes(secret), `${secret} in table ${table}`).toBe(false);
        }
        for (const row of tables.run as { input: string }[]) expect(row.input).toMatch(/^aes256gcm:/);
        if (kind === "sqlite") {
          // And the bytes of the database file and its write-ahead log.
          const file = cdb.url.slice("file:".length);
          const bytes = Buffer.concat([readFileSync(file), ...["-wal"].map((s) => { try { return readFileSync(file + s); } catch { return Buffer.alloc(0); } })]);
          for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), `${secret} in the SQLite file`).toBe(false);
        }
      } finally {
        await cpool.killAll();
        await cengine.close();
        await cdb.cleanup();
      }
    },
    45_000,
  );

  // ----------------------------------------------------------------------------------------------
  // 11. Queries

  it("`weft query ID state` on a run waiting at a timer gives its node and variables, and writes nothing", async () => {
    // A copy of user-onboarding whose week is an hour: long enough to stay at the timer.
    await deploy(onboardingWith("1h", "user-onboarding-hour"));
    const { runId } = await engine.start("user-onboarding-hour", { workflowId: "query-1", input: { email: "quinn@example.com" } });
    await pendingOf("query-1", "timer", "week");
    const historyBefore = await engine.history("query-1");
    const [runBefore] = await engine.db.query("SELECT next_seq, updated_at FROM run WHERE run_id = ?", [runId]);
    const tasksBefore = await engine.db.query("SELECT id, kind, due_at FROM task WHERE run_id = ? ORDER BY id", [runId]);

    const r = await runWeft(["query", "query-1", "state", "--json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const state = JSON.parse(r.stdout);
    expect(state).toMatchObject({ node: "week", vars: { user: { id: "u-quinn@example.com", email: "quinn@example.com" } } });
    expect(state.vars.activity).toBeUndefined();
    expect(await engine.query("query-1", "state")).toEqual(state);

    expect(await engine.history("query-1")).toEqual(historyBefore);
    expect(await engine.db.query("SELECT next_seq, updated_at FROM run WHERE run_id = ?", [runId])).toEqual([runBefore]);
    expect(await engine.db.query("SELECT id, kind, due_at FROM task WHERE run_id = ? ORDER BY id", [runId])).toEqual(tasksBefore);

    const unknown = await runWeft(["query", "query-1", "nope"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown query/);
    await engine.terminate("query-1");
  });

  // ----------------------------------------------------------------------------------------------
  // 12. Continue-as-new

  it(
    "a loop past the history bound continues as new: same workflow id, new run id, variables carried",
    async () => {
      // monthly-statements with its timer `until` shortened to 100 ms; the workers run with
      // WEFT_HISTORY_LIMIT=20, so a few rounds fill a run's history.
      await deploy(monthlyStatementsShort());
      const first = await engine.start("monthly-statements", { workflowId: "statements-can", input: { customerId: "cust-can", email: "can@example.com" } });
      // Someone watching: `weft history --follow` prints the events as they come, across runs.
      const following = runWeft(["history", "statements-can", "--follow", "--json"], env, 40_000);
      const now = await waitFor(
        "the run to continue as new",
        async () => {
          const d = await engine.describe("statements-can");
          return d.runId !== first.runId ? d : undefined;
        },
        { timeoutMs: 30_000, details: async () => `${await describeForFailure(engine, "statements-can")}\n${pool.diagnostics()}` },
      );
      expect(now.status).toBe("running");
      expect(now.workflowId).toBe("statements-can");

      const [old] = await engine.db.query("SELECT status FROM run WHERE run_id = ?", [first.runId]);
      expect(old.status).toBe("continued");
      const oldHistory = await loadHistory(engine.db, engine.codec, first.runId);
      const last = oldHistory.at(-1)!;
      expect(last.type).toBe("ContinuedAsNew");
      expect(oldHistory.length).toBeLessThanOrEqual(HISTORY_LIMIT + 8);
      const next = (last as { newRunId: string }).newRunId;
      const [successor] = await engine.db.query("SELECT continued_from_run_id, workflow_id FROM run WHERE run_id = ?", [next]);
      expect(successor).toEqual({ continued_from_run_id: first.runId, workflow_id: "statements-can" });

      // The variables were carried: the last statement computed before continuing.
      const lastStatement = events(oldHistory, "ActivityCompleted", "bill").at(-1).result;
      expect(lastStatement).toMatchObject({ customerId: "cust-can", total: expect.any(Number) });
      const newHistory = await loadHistory(engine.db, engine.codec, next);
      expect(newHistory[0]).toMatchObject({ type: "WorkflowStarted", continuedFromRunId: first.runId, carried: { statement: lastStatement } });
      // And the run goes on billing in the new run.
      await waitFor("the new run to bill", async () => events(await loadHistory(engine.db, engine.codec, next), "ActivityCompleted", "bill").length > 0, {
        details: () => pool.diagnostics(),
      });
      await engine.terminate("statements-can", "test over");

      // The follower ended with the run, having printed each run's history whole and in order,
      // each continuing into the next.
      const followed = await following;
      expect(followed).toMatchObject({ code: 0, stderr: "" });
      const lines = followed.stdout.trim().split("\n").map((l) => JSON.parse(l) as { runId: string; seq: number; type: string; newRunId?: string });
      expect(lines.at(-1)).toMatchObject({ type: "WorkflowTerminated", runId: (await engine.describe("statements-can")).runId });
      expect(lines[0]).toMatchObject({ seq: 1, type: "WorkflowStarted" });
      lines.forEach((line, i) => {
        if (i === 0) return;
        const before = lines[i - 1]!;
        if (before.type === "ContinuedAsNew") expect(line).toMatchObject({ runId: before.newRunId, seq: 1, type: "WorkflowStarted" });
        else expect(line).toMatchObject({ runId: before.runId, seq: before.seq + 1 });
      });
      if (lines[0]!.runId === first.runId) expect(lines.some((l) => l.type === "ContinuedAsNew" && l.runId === first.runId && l.newRunId === next)).toBe(true);
    },
    45_000,
  );
});
