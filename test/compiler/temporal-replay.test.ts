// Replays hand-built Temporal histories of order-item against a workflow module, offline.
// Add the compiler's generated module to `workflowFiles` (or call replayCases(file)) to
// check it issues exactly the commands a Temporal server recorded for the same run.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it, expect, beforeAll } from "vitest";
import { buildHistory, bundle, replay, type ActivityStep } from "../temporal/replay.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const input = { orderId: "o-1", sku: "sku-1", qty: 2 };
const order = { id: "o-1", sku: "sku-1", qty: 2, total: 20 };
const status = "fulfilled";

export const orderItemMainPath: ActivityStep[] = [
  { activityType: "orders.init", input: { orderId: "o-1", sku: "sku-1", qty: 2 }, result: order },
  { activityType: "orders.fulfill", input: order, result: status },
  { activityType: "orders.archive", input: { order, status }, result: undefined },
];

export function replayCases(workflowFile: string, workflowType = "orderItem") {
  describe(`Temporal replay: ${path.relative(root, workflowFile)}`, () => {
    beforeAll(async () => {
      await bundle(workflowFile); // webpack once per file; every case below reuses it
    }, 60_000);

    it("replays the order-item main path", async () => {
      const history = buildHistory({
        workflowType,
        input,
        activities: orderItemMainPath,
        result: { orderId: order.id, status },
      });
      expect(await replay(workflowFile, workflowType, history)).toEqual({ ok: true });
    });

    it("replays an open run (history stops after the second activity)", async () => {
      const history = buildHistory({ workflowType, input, activities: orderItemMainPath.slice(0, 2), result: null });
      history.events.pop(); // drop WORKFLOW_EXECUTION_COMPLETED: the run is still open
      expect(await replay(workflowFile, workflowType, history)).toEqual({ ok: true });
    });

    it("fails with a non-determinism error when the history has another activity", async () => {
      const changed = orderItemMainPath.map((s, i) => (i === 1 ? { ...s, activityType: "orders.ship" } : s));
      const history = buildHistory({ workflowType, input, activities: changed, result: { orderId: order.id, status } });
      const r = await replay(workflowFile, workflowType, history);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errorName).toBe("DeterminismViolationError");
      expect(r.message).toMatch(/nondeterminism/i);
      expect(r.message).toMatch(/orders\.ship|orders\.fulfill/);
    });

    it("fails when the history lacks an activity the workflow schedules", async () => {
      const history = buildHistory({
        workflowType,
        input,
        activities: orderItemMainPath.slice(0, 2),
        result: { orderId: order.id, status },
      });
      const r = await replay(workflowFile, workflowType, history);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errorName).toBe("DeterminismViolationError");
    });
  });
}

// The hand-written module proves the harness; the golden file is what `weft compile
// --target temporal` emits for ../shared/examples/order-item.json (examples.test.ts keeps it
// equal to the compiler's output).
export const workflowFiles = [
  path.join(root, "test/fixtures/temporal/order-item.hand.ts"),
  path.join(root, "test/golden/order-item.temporal.ts"),
];

for (const file of workflowFiles) replayCases(file);
