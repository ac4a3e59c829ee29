// Where runs wait, as badges on the drawing (designer/waits.ts), without a browser: counts, the
// oldest wait's age and the retrying runs merged onto the money-transfer example's nodes, a
// step whose activity no live worker has loaded, nodes without runs left bare, and runs at
// nodes the drawing no longer has; two answers that draw the same badges are the same.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { age, sameWaits, waitBadges, waitingRunsHref, type NodeWaits } from "../../designer/waits.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const transfer = JSON.parse(readFileSync(path.join(root, "examples/money-transfer.json"), "utf8")) as WorkflowDocument;
const now = Date.UTC(2026, 11, 1, 12, 0, 0);
const ago = (ms: number) => new Date(now - ms).toISOString();
const HOUR = 3600_000;

describe("where runs wait, on the drawing", () => {
  it("puts each node's count, its oldest wait's age and its retrying runs on the node, linked to the runs list filtered to it", () => {
    const badges = waitBadges(
      transfer,
      [
        { nodeId: "review", runs: 12, oldestSince: ago(3 * HOUR + 59 * 60_000), retrying: 0, kind: "approval" },
        { nodeId: "transfer", runs: 1234, oldestSince: ago(90_000), retrying: 2, kind: "activity", activities: ["bank.transfer"] },
      ],
      now,
    );
    expect([...badges.nodes.keys()].sort()).toEqual(["review", "transfer"]);
    const review = badges.nodes.get("review")!;
    expect(review.text).toBe("12 waiting · oldest 3 h");
    expect(review.label).toBe("12 runs waiting at review, the oldest for 3 hours: show them");
    expect(review.href).toBe("/runs?name=money-transfer&node=review");
    expect(review.stuck).toBeUndefined();
    const transferBadge = badges.nodes.get("transfer")!;
    expect(transferBadge.text).toBe("1,234 waiting · oldest 1 min · 2 retrying");
    expect(transferBadge.label).toMatch(/^1,234 runs waiting at .+, the oldest for 1 minute, 2 retrying: show them$/);
    expect(badges.elsewhere).toEqual([]);
  });

  it("says on a step that no worker runs its activity, when no live worker has loaded it", () => {
    const badges = waitBadges(transfer, [{ nodeId: "transfer", runs: 1, oldestSince: ago(5_000), retrying: 0, kind: "activity", activities: ["bank.transfer"], noWorker: ["bank.transfer"] }], now);
    const badge = badges.nodes.get("transfer")!;
    expect(badge.text).toBe("1 waiting · oldest 5 s");
    expect(badge.stuck).toBe("No worker runs bank.transfer: start one");
    expect(badge.label).toMatch(/^1 run waiting at .+, the oldest for 5 seconds, no worker runs bank\.transfer: show them$/);
  });

  it("leaves nodes without waiting runs bare, and counts runs at nodes the drawing no longer has apart", () => {
    const badges = waitBadges(
      transfer,
      [
        { nodeId: "review", runs: 0, oldestSince: ago(0), retrying: 0 },
        { nodeId: "gone", runs: 3, oldestSince: ago(2 * 86_400_000), retrying: 0, kind: "timer" },
      ],
      now,
    );
    expect(badges.nodes.size).toBe(0);
    expect(badges.elsewhere).toEqual([{ nodeId: "gone", runs: 3, href: "/runs?name=money-transfer&node=gone" }]);
    expect(waitBadges(transfer, [], now).nodes.size).toBe(0);
  });

  it("rounds ages down to the largest unit and escapes names and node ids in the link", () => {
    expect(age(ago(0), now)).toEqual({ short: "0 s", words: "0 seconds" });
    expect(age(ago(59_999), now).short).toBe("59 s");
    expect(age(ago(HOUR), now)).toEqual({ short: "1 h", words: "1 hour" });
    expect(age(ago(50 * HOUR), now)).toEqual({ short: "2 d", words: "2 days" });
    expect(age(new Date(now + 5000).toISOString(), now).short).toBe("0 s");
    expect(waitingRunsHref("a-b", "x y&z")).toBe("/runs?name=a-b&node=x+y%26z");
  });
});

describe("two answers of where runs wait", () => {
  const review: NodeWaits = { nodeId: "review", runs: 12, oldestSince: ago(3 * HOUR + 10 * 60_000), retrying: 0, kind: "approval" };
  const transfer: NodeWaits = { nodeId: "transfer", runs: 2, oldestSince: ago(30_000), retrying: 1, kind: "activity", activities: ["bank.transfer"] };
  const answer = (waiting: NodeWaits[], at = now) => ({ waiting, at });

  it("are the same when they draw the same badges: the same counts, and the ages as shown, a poll later", () => {
    // A copy four seconds on: 3 h still, and a fresh array, as each poll brings.
    expect(sameWaits(answer([review]), answer([{ ...review }], now + 4000))).toBe(true);
    expect(sameWaits(answer([review, { ...transfer, oldestSince: ago(HOUR) }]), answer(JSON.parse(JSON.stringify([review, { ...transfer, oldestSince: ago(HOUR) }])), now + 20 * 60_000))).toBe(true);
    // What no badge shows makes no difference: the kind, the activities, a node with no runs.
    expect(sameWaits(answer([transfer]), answer([{ ...transfer, kind: "timer", activities: [] }, { ...review, runs: 0 }]))).toBe(true);
    expect(sameWaits(answer([]), answer([], now + 4000))).toBe(true);
  });

  it("differ when a count, the retrying runs, a missing worker or an age as shown changes", () => {
    expect(sameWaits(answer([review]), answer([{ ...review, runs: 13 }]))).toBe(false);
    expect(sameWaits(answer([transfer]), answer([{ ...transfer, retrying: 2 }]))).toBe(false);
    expect(sameWaits(answer([transfer]), answer([{ ...transfer, noWorker: ["bank.transfer"] }]))).toBe(false);
    expect(sameWaits(answer([review]), answer([review, transfer]))).toBe(false);
    expect(sameWaits(answer([review, transfer]), answer([review]))).toBe(false);
    // The oldest wait at transfer goes from 30 s to 34 s: shown to the second under a minute.
    expect(sameWaits(answer([transfer]), answer([transfer], now + 4000))).toBe(false);
    // And the oldest at review from 3 h to 4 h, fifty minutes on.
    expect(sameWaits(answer([review]), answer([review], now + 50 * 60_000))).toBe(false);
    // The oldest run left: another oldest, another age.
    expect(sameWaits(answer([review]), answer([{ ...review, oldestSince: ago(60_000) }]))).toBe(false);
  });
});
