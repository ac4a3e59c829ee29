// The runtime core as a specification: a recorded history replays to the same state without
// running anything again; a history that disagrees with the code stops the run with a
// non-determinism error naming the event and both commands; time and decisions come from the
// history. Recorded histories are fixtures in test/fixtures/histories/ (refresh with
// UPDATE_GOLDEN=1 after an intended change, and review the diff).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { HistoryEvent, RecordedEvent } from "../../engine/runtime/events.ts";
import { activitiesSucceed, replay, simulate, startEvent, T0, workflowOf, type Answer } from "./replay-driver.ts";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/histories");

function fixture(name: string, history: RecordedEvent[]): RecordedEvent[] {
  const file = path.join(fixtures, `${name}.json`);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, `${JSON.stringify(history, null, 2)}\n`);
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
  return JSON.parse(readFileSync(file, "utf8"));
}

const orderInput = { orderId: "o-7", sku: "sku-1", qty: 3 };
const orderResults = {
  "orders.init": (i: any) => ({ id: i.orderId, total: i.qty * 10 }),
  "orders.fulfill": () => "fulfilled",
  "orders.archive": () => ({ archived: true }),
};

async function orderItemHistory(): Promise<RecordedEvent[]> {
  const { fn, hash } = workflowOf("order-item");
  return simulate(fn, startEvent("order-item", hash, orderInput), activitiesSucceed(orderResults));
}

describe("replay of recorded histories", () => {
  it("records order-item's main path exactly as the fixture has it", async () => {
    const history = await orderItemHistory();
    expect(history).toEqual(fixture("order-item.main", history));
    expect(history.map((e) => e.type)).toEqual([
      "WorkflowStarted",
      "ActivityScheduled",
      "ActivityCompleted",
      "ActivityScheduled",
      "ActivityCompleted",
      "ActivityScheduled",
      "ActivityCompleted",
      "WorkflowCompleted",
    ]);
    expect(history[history.length - 1]).toMatchObject({ type: "WorkflowCompleted", nodeId: "done", result: { orderId: "o-7", status: "fulfilled" } });
  });

  it("replays the fixture to its end without issuing a single new command", async () => {
    const { fn } = workflowOf("order-item");
    const history = JSON.parse(readFileSync(path.join(fixtures, "order-item.main.json"), "utf8"));
    const { appended, exec } = await replay(fn, history);
    expect(appended).toEqual([]);
    expect(exec.closed).toBe(true);
    expect(exec.variables()).toEqual({ order: { id: "o-7", total: 30 }, status: "fulfilled" });
  });

  it("replays a history whose steps record when and where each attempt started as if those records were not there", async () => {
    const { fn } = workflowOf("order-item");
    const plain = await orderItemHistory();
    const withStarts: RecordedEvent[] = [];
    for (const e of plain) {
      if (e.type === "ActivityCompleted") {
        withStarts.push({ type: "ActivityStarted", cmd: e.cmd, nodeId: e.nodeId, attempt: e.attempt, startedAt: e.at - 5, worker: "w-1", seq: 0, at: e.at });
      }
      withStarts.push({ ...e });
    }
    withStarts.forEach((e, i) => (e.seq = i + 1));
    expect(withStarts).toHaveLength(plain.length + 3);

    const whole = await replay(fn, withStarts);
    expect(whole.appended).toEqual([]);
    expect(whole.exec.closed).toBe(true);
    expect(whole.exec.variables()).toEqual({ order: { id: "o-7", total: 30 }, status: "fulfilled" });

    // Cut off after the first step's start and result: the next command, numbered as before.
    const { appended, exec } = await replay(fn, withStarts.slice(0, 4));
    expect(appended).toEqual([expect.objectContaining({ type: "ActivityScheduled", cmd: 2, nodeId: "fulfill" })]);
    expect(exec.now).toBe(withStarts[3]!.at);
  });

  it("replays a prefix (a run cut off by a crash) and issues exactly the next command", async () => {
    const { fn } = workflowOf("order-item");
    const history = await orderItemHistory();
    const { appended, exec } = await replay(fn, history.slice(0, 3));
    expect(appended).toEqual([expect.objectContaining({ type: "ActivityScheduled", cmd: 2, nodeId: "fulfill", activity: "orders.fulfill", input: { id: "o-7", total: 30 } })]);
    expect(exec.waitingOn).toMatchObject({ nodeId: "fulfill" });
  });

  it("stops with a non-determinism error naming the event and both commands when an activity differs", async () => {
    const { fn } = workflowOf("order-item");
    // A run still open after its second step completed, whose record says another activity.
    const open = (await orderItemHistory()).slice(0, 5);
    const edited = open.map((e) => (e.type === "ActivityScheduled" && e.nodeId === "fulfill" ? { ...e, activity: "orders.ship" } : e));
    const { appended, exec } = await replay(fn, edited);
    expect(appended).toHaveLength(1);
    // A value with a code and what is wrong, for the run view to say in words.
    expect(exec.nonDeterminism?.divergence).toEqual({
      code: "COMMAND_CHANGED",
      nodeId: "fulfill",
      seq: 4,
      expected: { type: "ActivityScheduled", nodeId: "fulfill", activity: "orders.ship" },
      actual: { type: "ActivityScheduled", nodeId: "fulfill", activity: "orders.fulfill" },
    });
    const failed = appended[0] as Extract<HistoryEvent, { type: "WorkflowFailed" }>;
    expect(failed.type).toBe("WorkflowFailed");
    expect(failed.error.type).toBe("NonDeterminismError");
    expect(failed.error.message).toContain("history event 4");
    expect(failed.error.message).toContain('activity "orders.ship"');
    expect(failed.error.message).toContain('activity "orders.fulfill"');
  });

  it("stops with a non-determinism error when the history has a command the code never issues", async () => {
    const { fn } = workflowOf("order-item");
    const history = await orderItemHistory();
    const extra = [
      ...history.slice(0, -1),
      { type: "ActivityScheduled", cmd: 4, nodeId: "audit", activity: "orders.audit", input: null, options: {}, canFail: false, seq: 8, at: T0 + 4000 },
    ] as RecordedEvent[];
    const { appended, exec } = await replay(fn, extra);
    expect(appended).toEqual([expect.objectContaining({ type: "WorkflowFailed", error: expect.objectContaining({ type: "NonDeterminismError" }) })]);
    expect(exec.nonDeterminism?.divergence).toEqual({ code: "COMMAND_NOT_ISSUED", nodeId: "audit", seq: 8, expected: { type: "ActivityScheduled", nodeId: "audit", activity: "orders.audit" } });
    expect((appended[0] as { error: { message: string } }).error.message).toMatch(/history event 8 .*orders\.audit.*ends before issuing it/);
  });

  it("stops with a non-determinism error when a node's command changes kind", async () => {
    const { fn } = workflowOf("order-item");
    const history = (await orderItemHistory()).slice(0, 3);
    const edited = history.map((e) => (e.seq === 2 ? ({ type: "TimerStarted", cmd: 1, nodeId: "init", dueAt: T0, seq: 2, at: T0 } as RecordedEvent) : e));
    const { appended, exec } = await replay(fn, edited);
    expect(appended[0]).toMatchObject({ type: "WorkflowFailed", error: { type: "NonDeterminismError" } });
    expect(exec.nonDeterminism).toMatchObject({ code: "COMMAND_CHANGED", nodeId: "init", seq: 2, expected: { type: "TimerStarted", nodeId: "init" }, actual: { type: "ActivityScheduled", nodeId: "init", activity: "orders.init" } });
    expect((appended[0] as { error: { message: string } }).error.message).toMatch(/TimerStarted\(node "init"\).*ActivityScheduled\(node "init", activity "orders.init"\)/);
  });
});

describe("time, decisions and failures come from the history", () => {
  it("sees workflow.now as the time of the last event, the same on replay", async () => {
    const { fn, hash } = workflowOf("monthly-statements");
    let months = 0;
    const answer: Answer = (c, at) => {
      if (c.type === "ActivityScheduled") return { event: { type: "ActivityCompleted", cmd: c.cmd, nodeId: c.nodeId, attempt: 1, result: { total: 5 } } };
      if (c.type === "TimerStarted" && months++ < 2) return { event: { type: "TimerFired", cmd: c.cmd, nodeId: c.nodeId }, after: c.dueAt - at };
      return undefined;
    };
    const history = await simulate(fn, startEvent("monthly-statements", hash, { customerId: "c-1", email: "c@x" }), answer);
    const timers = history.filter((e) => e.type === "TimerStarted") as Extract<RecordedEvent, { type: "TimerStarted" }>[];
    expect(timers.map((t) => new Date(t.dueAt).toISOString())).toEqual(["2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"]);
    const bills = history.filter((e) => e.type === "ActivityScheduled" && e.nodeId === "bill") as Extract<RecordedEvent, { type: "ActivityScheduled" }>[];
    expect(bills.map((b) => (b.input as { at: string }).at)).toEqual(["2026-01-31T09:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]);
    const { appended } = await replay(fn, history);
    expect(appended).toEqual([]);
  });

  it("turns an approval signal into the decision {approved, by, comment, at}", async () => {
    const { fn, hash } = workflowOf("money-transfer");
    const decidedAt = T0 + 3_600_000;
    const answer: Answer = (c) => {
      if (c.type === "ApprovalRequested") {
        return { event: { type: "SignalReceived", cmd: c.cmd, nodeId: c.nodeId, signal: "decline", payload: { by: "bob", comment: "too much" } }, after: decidedAt - T0 };
      }
      return activitiesSucceed()(c, 0);
    };
    const history = await simulate(fn, startEvent("money-transfer", hash, { from: "a", to: "b", amount: 20_000 }), answer);
    const email = history.find((e) => e.type === "ActivityScheduled" && e.nodeId === "notify-declined") as Extract<RecordedEvent, { type: "ActivityScheduled" }>;
    expect(email.input).toMatchObject({ body: "Declined by bob: too much" });
    expect(history[history.length - 1]).toMatchObject({ type: "WorkflowFailed", nodeId: "declined", error: { message: "declined by bob" } });
    const { exec } = await replay(fn, history);
    expect(exec.variables()).toEqual({ decision: { approved: false, by: "bob", comment: "too much", at: new Date(decidedAt).toISOString() } });
  });

  it("takes the timeout path when the approval's wait times out", async () => {
    const { fn, hash } = workflowOf("money-transfer");
    const history = await simulate(fn, startEvent("money-transfer", hash, { from: "a", to: "b", amount: 20_000 }), (c) =>
      c.type === "ApprovalRequested" ? { event: { type: "WaitTimedOut", cmd: c.cmd, nodeId: c.nodeId }, after: 3 * 86_400_000 } : undefined,
    );
    const requested = history.find((e) => e.type === "ApprovalRequested") as Extract<RecordedEvent, { type: "ApprovalRequested" }>;
    expect(requested).toMatchObject({ title: "Approve transfer", message: "Transfer 20000 from a to b", assignees: ["finance"], dueAt: T0 + 3 * 86_400_000 });
    expect(history[history.length - 1]).toMatchObject({ type: "WorkflowFailed", nodeId: "expired", error: { message: "approval timed out" } });
  });

  it("fails the run with the activity's error when a step without an error edge fails for good", async () => {
    const { fn, hash } = workflowOf("order-item");
    const history = await simulate(fn, startEvent("order-item", hash, orderInput), (c) =>
      c.type === "ActivityScheduled" ? { event: { type: "ActivityFailed", cmd: c.cmd, nodeId: c.nodeId, attempt: 1, error: { type: "PaymentFailed", message: "card declined" } } } : undefined,
    );
    expect(history[history.length - 1]).toMatchObject({ type: "WorkflowFailed", nodeId: "init", error: { type: "PaymentFailed", message: "card declined" } });
  });

  it("continues as new at a loop's back edge once the history passes its bound, carrying the variables", async () => {
    const { fn, hash } = workflowOf("monthly-statements");
    const answer: Answer = (c, at) => {
      if (c.type === "ActivityScheduled") return { event: { type: "ActivityCompleted", cmd: c.cmd, nodeId: c.nodeId, attempt: 1, result: { total: c.cmd } } };
      if (c.type === "TimerStarted") return { event: { type: "TimerFired", cmd: c.cmd, nodeId: c.nodeId }, after: Math.max(1, c.dueAt - at) };
      return undefined;
    };
    const history = await simulate(fn, startEvent("monthly-statements", hash, { customerId: "c-1", email: "c@x" }), answer, { historyLimit: 20 });
    const last = history[history.length - 1];
    expect(last).toMatchObject({ type: "ContinuedAsNew", loopHead: "bill" });
    expect(history.length).toBeGreaterThanOrEqual(20);
    expect(history.length).toBeLessThan(30);
    // The next run starts at the loop head with the variables carried over, skipping nothing.
    const { fn: again } = workflowOf("monthly-statements");
    const next = await simulate(again, startEvent("monthly-statements", hash, { customerId: "c-1", email: "c@x" }, { continuedAt: "bill", carried: { statement: { total: 7 } } }), () => undefined);
    expect(next[1]).toMatchObject({ type: "ActivityScheduled", nodeId: "bill" });
  });
});
