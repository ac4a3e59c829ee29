// Run painting as plain data (designer/run-paint.ts), without a browser: the money-transfer
// example's histories painted node by node, as of every event (the scrubber's frames), with
// the path taken, attempt N of M with its next retry and last error, approvals by whom and
// due when, a run that failed at a step, one cancelled while it waited, and one held (with a
// decision it was sent meanwhile).

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { durationText, GrowingPainter, paintRun, passedNodes, RunPainter, stateWords, waitText, type PaintEvent } from "../../designer/run-paint.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const transfer = JSON.parse(readFileSync(path.join(root, "examples/money-transfer.json"), "utf8")) as WorkflowDocument;

const t = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s)).toISOString();
let seq = 0;
const ev = (s: number, type: string, fields: Record<string, unknown> = {}): PaintEvent => ({ seq: ++seq, type, at: t(s), ...fields });

function approvedTransfer(): PaintEvent[] {
  seq = 0;
  const options = { retry: { maximumAttempts: 10 }, timeout: "30s" };
  return [
    ev(0, "WorkflowStarted", { name: "money-transfer", version: 1, input: { amount: 25000 }, startedBy: "ops" }),
    ev(0, "ApprovalRequested", { cmd: 1, nodeId: "review", title: "Approve transfer", assignees: ["finance"], dueAt: t(259200) }),
    ev(30, "SignalReceived", { cmd: 1, nodeId: "review", signal: "approve", payload: { nodeId: "review", by: "fin1", comment: "ok" }, by: "fin1" }),
    ev(30, "ActivityScheduled", { cmd: 2, nodeId: "transfer", activity: "bank.transfer", input: {}, options, canFail: false }),
    ev(31, "ActivityStarted", { cmd: 2, nodeId: "transfer", attempt: 1, startedAt: t(30), worker: "w-1" }),
    ev(31, "ActivityFailed", { cmd: 2, nodeId: "transfer", attempt: 1, error: { type: "Down", message: "bank offline" }, nextAttemptAt: t(32) }),
    ev(33, "ActivityStarted", { cmd: 2, nodeId: "transfer", attempt: 2, startedAt: t(32), worker: "w-2" }),
    ev(33, "ActivityCompleted", { cmd: 2, nodeId: "transfer", attempt: 2, result: { receipt: "r-1" } }),
    ev(33, "WorkflowCompleted", { nodeId: "done", result: { receipt: "r-1" } }),
  ];
}

describe("run painting", () => {
  it("paints a finished run: the path taken, each node done with its duration, each attempt a bar", () => {
    const paint = paintRun(transfer, approvedTransfer());
    expect(paint.status).toBe("completed");
    expect(paint.upTo).toBe(9);
    expect(paint.edgesTaken).toEqual(["e1", "e2", "e4", "e8"]);
    expect(passedNodes(transfer, paint)).toEqual(["start", "size"]);
    expect(paint.nodes.review).toMatchObject({ state: "done", durationMs: 30_000, outcome: "approved by fin1", visits: 1 });
    expect(paint.nodes.transfer).toMatchObject({ state: "done", durationMs: 3_000 });
    expect(paint.nodes.transfer!.attempts).toEqual([
      { attempt: 1, startedAt: t(30), endedAt: t(31), worker: "w-1", outcome: "failed", error: { type: "Down", message: "bank offline" } },
      { attempt: 2, startedAt: t(32), endedAt: t(33), worker: "w-2", outcome: "completed" },
    ]);
    expect(paint.nodes.done!.state).toBe("done");
    for (const id of ["notify-declined", "declined", "expired"]) expect(paint.nodes[id]!.state).toBe("not-reached");
    expect(paint.bars.map((b) => [b.nodeId, b.label, b.outcome])).toEqual([
      ["review", "approval by finance", "approved"],
      ["transfer", "attempt 1", "failed"],
      ["transfer", "attempt 2", "completed"],
    ]);
  });

  it("paints the run as it stood after any event: the scrubber's frames", () => {
    const events = approvedTransfer();
    const second = paintRun(transfer, events, { upTo: 2 });
    expect(second).toMatchObject({ upTo: 2, at: t(0), status: "running", edgesTaken: ["e1", "e2"] });
    expect(second.nodes.review).toMatchObject({ state: "waiting", wait: { kind: "approval", assignees: ["finance"], since: t(0), dueAt: t(259200) } });
    expect(second.nodes.transfer!.state).toBe("not-reached");
    expect(waitText(second.nodes.review!.wait!)).toBe("waiting for approval by finance");

    const retrying = paintRun(transfer, events, { upTo: 6, now: t(31.5) });
    expect(retrying.nodes.transfer).toMatchObject({
      state: "retrying",
      wait: { kind: "activity", activity: "bank.transfer", attempt: 2, maxAttempts: 10, nextAttemptAt: t(32), lastError: { type: "Down", message: "bank offline" } },
    });
    expect(waitText(retrying.nodes.transfer!.wait!, new Date(Date.parse(t(32)) - 3800).toISOString())).toBe("attempt 2 of 10 · next retry in 3.8 s · last error: Down: bank offline");

    const none = paintRun(transfer, events, { upTo: 0 });
    expect(none.status).toBe("running");
    expect(Object.values(none.nodes).every((n) => n.state === "not-reached")).toBe(true);
    // Every frame, forwards: nothing throws, and the states only move on.
    for (let i = 0; i <= events.length; i++) expect(paintRun(transfer, events, { upTo: i }).upTo).toBe(i);
  });

  it("paints a step that failed three times: the run failed there, with the error", () => {
    seq = 0;
    const options = { retry: { maximumAttempts: 3 } };
    const events = [
      ev(0, "WorkflowStarted", {}),
      ev(0, "ActivityScheduled", { cmd: 1, nodeId: "transfer", activity: "bank.transfer", options, canFail: false }),
      ...[1, 2, 3].flatMap((a) => [
        ev(a, "ActivityStarted", { cmd: 1, nodeId: "transfer", attempt: a, startedAt: t(a), worker: "w" }),
        ev(a, "ActivityFailed", { cmd: 1, nodeId: "transfer", attempt: a, error: { type: "Down", message: `no ${a}` }, ...(a < 3 ? { nextAttemptAt: t(a + 1) } : {}) }),
      ]),
      ev(3, "WorkflowFailed", { nodeId: "transfer", error: { type: "Down", message: "no 3" } }),
    ];
    const third = paintRun(transfer, events, { upTo: 6 });
    expect(third.nodes.transfer!.wait).toMatchObject({ attempt: 3, maxAttempts: 3, lastError: { message: "no 2" } });
    const paint = paintRun(transfer, events);
    expect(paint.status).toBe("failed");
    expect(paint.error).toEqual({ type: "Down", message: "no 3", nodeId: "transfer" });
    expect(paint.nodes.transfer).toMatchObject({ state: "failed", error: { type: "Down", message: "no 3" } });
    expect(paint.nodes.transfer!.attempts).toHaveLength(3);
    expect(paint.nodes.transfer!.visits).toBe(1);
    expect(paint.edgesTaken).toEqual(["e1", "e3"]);
  });

  it("paints a run cancelled while it waited as stopped there, and a held run from describe", () => {
    const events = approvedTransfer().slice(0, 2);
    const cancelled = paintRun(transfer, [...events, ev(60, "WorkflowCancelled", { by: "ops", reason: "duplicate" })]);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.nodes.review).toMatchObject({ state: "stopped", endedAt: t(60) });
    expect(cancelled.bars[0]).toMatchObject({ outcome: "cancelled", end: t(60) });

    const held = paintRun(transfer, events, { pending: [{ nodeId: "review", kind: "held", reason: "history event 2 is ApprovalRequested…" }] });
    expect(held.nodes.review).toMatchObject({ state: "held", wait: { kind: "held" } });
    // An earlier frame knows nothing of describe.
    expect(paintRun(transfer, events, { upTo: 1, pending: [{ nodeId: "review", kind: "held", reason: "x" }] }).nodes.review!.state).toBe("not-reached");

    // Held elsewhere while its approval waits, with a decision that came and waits to be taken.
    const received = { signal: "approve", at: t(40), by: "fin1", held: true };
    const waits = paintRun(transfer, events, { pending: [{ nodeId: "transfer", kind: "held", reason: "x" }, { nodeId: "review", kind: "approval", received }] });
    expect(waits.nodes.review).toMatchObject({ state: "waiting", wait: { kind: "approval", received } });
    expect(waitText(waits.nodes.review!.wait!)).toBe("decision received: approved by fin1, taken once the run is freed");
    // Not held: accepted, and taken once a worker picks the run up (none has yet).
    const accepted = paintRun(transfer, events, { pending: [{ nodeId: "review", kind: "approval", received: { ...received, held: false } }] });
    expect(waitText(accepted.nodes.review!.wait!)).toBe("decision received: approved by fin1, taken once a worker picks the run up");
    expect(paintRun(transfer, events, { pending: [{ nodeId: "review", kind: "approval" }] }).nodes.review!.wait).not.toHaveProperty("received");
  });

  it("says each node's state in words, as its badge on the drawing does", () => {
    const paint = paintRun(transfer, approvedTransfer());
    expect(stateWords(paint.nodes.review!)).toBe("done in 30 s");
    expect(stateWords(paint.nodes["notify-declined"]!)).toBe("not reached");
    expect(stateWords({ state: "retrying" })).toBe("waiting to retry");
    expect(stateWords({ state: "done", durationMs: 0 })).toBe("done");
  });

  it("paints a long history in one pass: a step run 3,000 times in a loop, each attempt its bar", () => {
    const loop = { nodes: [{ id: "start", type: "start" }, { id: "s", type: "step", activity: "a" }], edges: [{ id: "e1", source: "start", target: "s" }] } as unknown as WorkflowDocument;
    const events: PaintEvent[] = [];
    for (let cmd = 1; cmd <= 3000; cmd++) {
      events.push({ seq: events.length + 1, type: "ActivityScheduled", at: t(cmd), cmd, nodeId: "s", activity: "a" });
      events.push({ seq: events.length + 1, type: "ActivityStarted", at: t(cmd), cmd, nodeId: "s", attempt: 1, startedAt: t(cmd), worker: "w" });
      events.push({ seq: events.length + 1, type: "ActivityCompleted", at: t(cmd + 0.5), cmd, nodeId: "s", attempt: 1 });
    }
    const paint = paintRun(loop, events);
    expect(paint.bars).toHaveLength(3000);
    expect(paint.bars.every((b) => b.outcome === "completed" && b.end !== undefined)).toBe(true);
    expect(paint.nodes.s).toMatchObject({ state: "done", visits: 3000 });
  });

  it("paints a run event by event as it paints the history up to each event, and a painting given does not change as events are added", () => {
    seq = 0;
    const failing = [
      ev(0, "WorkflowStarted", {}),
      ev(0, "ActivityScheduled", { cmd: 1, nodeId: "transfer", activity: "bank.transfer", options: { retry: { maximumAttempts: 2 } }, canFail: false }),
      ev(1, "ActivityStarted", { cmd: 1, nodeId: "transfer", attempt: 1, startedAt: t(1), worker: "w" }),
      ev(1, "ActivityFailed", { cmd: 1, nodeId: "transfer", attempt: 1, error: { type: "Down", message: "no" }, nextAttemptAt: t(5) }),
      ev(6, "WorkflowTerminated", { by: "ops" }),
    ];
    const pending = [{ nodeId: "transfer", kind: "activity", worker: "w-9" }];
    for (const events of [approvedTransfer(), failing]) {
      const painter = new RunPainter(transfer);
      const given: { paint: ReturnType<typeof paintRun>; copy: unknown }[] = [];
      for (let k = 1; k <= events.length; k++) {
        painter.apply(events[k - 1]!);
        const paint = painter.paint({ pending, now: t(3) });
        expect(paint).toEqual(paintRun(transfer, events.slice(0, k), { pending, now: t(3) }));
        expect(painter.paint({ latest: false })).toEqual(paintRun(transfer, events, { upTo: k }));
        given.push({ paint, copy: structuredClone(paint) });
      }
      for (const { paint, copy } of given) expect(paint).toEqual(copy);
    }
  });

  it("paints a growing history with the events added since, and any other history afresh", () => {
    const events = approvedTransfer();
    const painter = new GrowingPainter();
    for (let k = 0; k <= events.length; k++) expect(painter.paint(transfer, events.slice(0, k), { now: t(40) })).toEqual(paintRun(transfer, events.slice(0, k), { now: t(40) }));
    // The same events as new objects (a page the server sent again) go on from where it was.
    const again = events.map((e) => ({ ...e }));
    expect(painter.paint(transfer, again)).toEqual(paintRun(transfer, events));
    // A shorter history, or another one of the same length, is painted afresh.
    expect(painter.paint(transfer, events.slice(0, 3))).toEqual(paintRun(transfer, events.slice(0, 3)));
    const other = approvedTransfer().slice(0, 3).map((e, i) => (i === 2 ? { ...e, type: "WorkflowCancelled" } : e));
    expect(painter.paint(transfer, other)).toEqual(paintRun(transfer, other));
  });

  it("says durations as a person would", () => {
    expect([420, 3800, 65_000, 3_840_000, 266_400_000].map(durationText)).toEqual(["420 ms", "3.8 s", "1 min 5 s", "1 h 4 min", "3 d 2 h"]);
  });
});
