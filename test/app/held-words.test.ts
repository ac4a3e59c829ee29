// A held run in plain words (app/lib/held-words.ts): from the non-determinism error's fields,
// naming nodes by their titles on the drawing and activities by their registered titles, never
// by their ids (an activity without a title by its id), and the deploy that frees it.

import { describe, expect, it } from "vitest";
import { heldWords, whoRestores } from "../../app/lib/held-words.ts";
import type { HeldRun } from "../../engine/views.ts";

const LABELS: Record<string, string> = { a: "Fulfil the order", wait: "Wait for go", b: "Ship it" };
const label = (id: string) => LABELS[id] ?? id;
const base = { nodeId: "a", since: "2026-12-02T09:00:00.000Z", version: 2, reason: 'history event 2 is ActivityScheduled(node "a", activity "orders.archive"), but …' };

describe("a held run in plain words", () => {
  it("a step whose activity changed: what the run did there, what the code does instead, and the deploys that free it", () => {
    const held: HeldRun = {
      ...base,
      code: "COMMAND_CHANGED",
      seq: 2,
      expected: { type: "ActivityScheduled", nodeId: "a", activity: "orders.archive" },
      actual: { type: "ActivityScheduled", nodeId: "a", activity: "orders.fulfill" },
    };
    const w = heldWords(held, { label, startedVersion: 1 });
    expect(w.where).toBe("Fulfil the order");
    expect(w.what).toBe(
      "When this run reached “Fulfil the order”, it ran the step “orders.archive”. The code of version 2 runs the step “orders.fulfill” at that point instead, so it cannot tell how the run goes on from there.",
    );
    expect(w.free).toMatch(/^To free it, deploy version 1’s drawing again \(the version it started on\), or another version that keeps the step “orders\.archive” at “Fulfil the order”, with its open runs moved on to it/);
    expect(w.short).toBe("ran “orders.archive” here; version 2 runs the step “orders.fulfill”");
    expect(w.freeShort).toBe("freed by a deploy that keeps the step “orders.archive”");
    // The technical details keep the ids and the engine's message.
    expect(w.technical).toContain("COMMAND_CHANGED");
    expect(w.technical).toContain("history event 2");
    expect(w.technical).toContain("node “a”");
    expect(w.technical).toContain(base.reason);
    // The words for people name no node id.
    for (const text of [w.what, w.free, w.short, w.freeShort]) expect(text).not.toMatch(/“a”|node/);
  });

  it("a step's activity by the title its worker registered, its id where none is known, and both where two share a title", () => {
    const held: HeldRun = {
      ...base,
      code: "COMMAND_CHANGED",
      seq: 2,
      expected: { type: "ActivityScheduled", nodeId: "a", activity: "orders.archive" },
      actual: { type: "ActivityScheduled", nodeId: "a", activity: "orders.fulfill" },
    };
    const titles: Record<string, string> = { "orders.archive": "Archive order", "orders.fulfill": "Fulfill order" };
    const w = heldWords(held, { label, startedVersion: 1, activityTitle: (name) => titles[name] });
    expect(w.what).toBe(
      "When this run reached “Fulfil the order”, it ran the step “Archive order”. The code of version 2 runs the step “Fulfill order” at that point instead, so it cannot tell how the run goes on from there.",
    );
    expect(w.free).toMatch(/^To free it, deploy version 1’s drawing again \(the version it started on\), or another version that keeps the step “Archive order” at “Fulfil the order”, /);
    expect(w.short).toBe("ran “Archive order” here; version 2 runs the step “Fulfill order”");
    expect(w.freeShort).toBe("freed by a deploy that keeps the step “Archive order”");
    // The ids stay for developers, behind "Technical details".
    for (const text of [w.what, w.free, w.short, w.freeShort]) expect(text).not.toMatch(/orders\./);
    expect(w.technical).toContain("orders.archive");

    // No worker has registered orders.fulfill (or with no title): its id.
    const partly = heldWords(held, { label, activityTitle: (name) => (name === "orders.archive" ? "Archive order" : undefined) });
    expect(partly.what).toMatch(/it ran the step “Archive order”\. The code of version 2 runs the step “orders\.fulfill” at that point/);
    // Two activities with one title: each with its id, or the sentence would say nothing changed.
    const same = heldWords(held, { label, activityTitle: () => "Handle order" });
    expect(same.what).toMatch(/it ran the step “Handle order” \(orders\.archive\)\. The code of version 2 runs the step “Handle order” \(orders\.fulfill\) at that point/);
    expect(same.freeShort).toBe("freed by a deploy that keeps the step “Handle order” (orders.archive)");
  });

  it("a command at another node, one the history never had, one the code no longer reaches, a held run without fields", () => {
    const elsewhere = heldWords(
      { ...base, code: "COMMAND_CHANGED", seq: 4, expected: { type: "SignalWaitStarted", nodeId: "wait", signal: "go" }, actual: { type: "ActivityScheduled", nodeId: "b", activity: "ship" }, nodeId: "wait" },
      { label },
    );
    expect(elsewhere.what).toBe("When this run reached “Wait for go”, it waited for the signal “go”. The code of version 2 runs the step “ship” at “Ship it” at that point instead, so it cannot tell how the run goes on from there.");
    // Started on the version it is on: no older version to deploy again.
    expect(elsewhere.free).toMatch(/^To free it, deploy a version that keeps the wait for the signal “go” at “Wait for go”, /);

    const added = heldWords({ ...base, code: "COMMAND_NOT_RECORDED", seq: 3, actual: { type: "TimerStarted", nodeId: "b" }, nodeId: "b" }, { label, startedVersion: 1 });
    expect(added.what).toMatch(/^The code of version 2 waits on a timer at “Ship it”, which this run never did/);
    expect(added.free).toMatch(/keeps what the run did at “Ship it”/);

    const ends = heldWords({ ...base, code: "COMMAND_NOT_ISSUED", seq: 6, expected: { type: "ApprovalRequested", nodeId: "b" }, nodeId: "b" }, { label });
    expect(ends.what).toBe("This run went on to “Ship it”, where it waited for an approval. The code of version 2 ends before it gets there, so it cannot tell how the run goes on from there.");

    const old = heldWords(base, { label });
    expect(old.what).toBe("The code of version 2 no longer matches what this run did at “Fulfil the order”, so it cannot tell how the run goes on from there.");
    expect(old.technical).toContain(base.reason);
  });

  it("who may restore the version that frees it, for someone who may not", () => {
    expect(whoRestores(1, { name: "ada", version: 2 })).toBe(
      "Restoring version 1 as the draft needs the designer role: ask a designer, such as ada (who deployed version 2), to restore it and deploy it.",
    );
    expect(whoRestores(1)).toBe("Restoring version 1 as the draft needs the designer role: ask a designer to restore it and deploy it.");
  });
});
