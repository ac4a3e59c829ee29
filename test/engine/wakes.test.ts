// A run's wake-ups (pending workflow tasks) join into one, and joining one never loses the
// signal it was stored with: found by the crash soak on PostgreSQL, where a worker claimed the
// pending task between a signal's write and its commit, read the inbox before that commit, and
// dropped the wake-up, leaving the signal in the inbox of a run waiting for it. Holding that
// lock, a worker's commit can meet a terminate in a deadlock; the one rolled back runs again.

import { afterAll, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { openDatabase } from "../../engine/storage/database.ts";
import type { Database } from "../../engine/storage/types.ts";
import { claimTasks, insertTasks } from "../../engine/task-store.ts";
import { line } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("wakes");
afterAll(() => databases.cleanup());

const pendingOf = async (db: Database, runId: string) =>
  db.query("SELECT id, due_at, lease_owner FROM task WHERE run_id = ? AND kind = 'workflow' ORDER BY id", [runId]);

describe.each(["sqlite", "postgresql"] as const)("wake-ups on %s", (kind) => {
  it("a second pending wake-up of a run joins the first, keeping the earlier due time; a leased one does not count", async () => {
    const engine = await Engine.open({ url: databases.freshUrl(kind) });
    const db = engine.db;
    try {
      await engine.deploy(line("waker", [{ id: "wait", type: "signal", signal: "go" }, { id: "done", type: "end" }]));
      // No worker: the run's first wake-up stays pending.
      const { runId } = await engine.start("waker", { workflowId: "w-1" });
      const [{ id: first, due_at: startedAt }] = await pendingOf(db, runId);
      const [joined] = await insertTasks(db, [{ runId, kind: "workflow", dueAt: Number(startedAt) - 1000 }]);
      expect(joined).toBe(first);
      expect(await pendingOf(db, runId)).toEqual([{ id: first, due_at: Number(startedAt) - 1000, lease_owner: null }]);
      await insertTasks(db, [{ runId, kind: "workflow", dueAt: Number(startedAt) + 1000 }]);
      expect((await pendingOf(db, runId)).map((r) => r.due_at)).toEqual([Number(startedAt) - 1000]);
      // Claimed, it is no longer pending: the next wake-up is a task of its own.
      const now = Date.now();
      expect((await claimTasks(db, "w", now, now + 60_000, [{ kind: "workflow", dueBy: now, limit: 10 }])).map((t) => t.id)).toEqual([first]);
      const [second] = await insertTasks(db, [{ runId, kind: "workflow", dueAt: now }]);
      expect(second).not.toBe(first);
      expect(await pendingOf(db, runId)).toHaveLength(2);
    } finally {
      await engine.close();
    }
  });

  (kind === "postgresql" ? it : () => undefined)(
    "PostgreSQL: a wake-up joining a pending one holds it until it commits, so no claim takes it before the signal is there",
    async () => {
      const url = databases.freshUrl(kind);
      const sender = await openDatabase({ url, prisma: false });
      const worker = await openDatabase({ url, prisma: false });
      try {
        const now = Date.now();
        const [pending] = await insertTasks(sender, [{ runId: "r1", kind: "workflow", dueAt: now - 10 }]);
        let resolveClaimed!: (ids: number[]) => void;
        const claimedMeanwhile = new Promise<number[]>((r) => (resolveClaimed = r));
        await sender.transaction(async (tx) => {
          // A signal's write: the signal (left out here) and its wake-up, joining the pending one.
          await insertTasks(tx, [{ runId: "r1", kind: "workflow", dueAt: now }]);
          // Before it commits, a worker looks for work: the pending task is not for taking yet.
          const tasks = await claimTasks(worker, "w", Date.now(), Date.now() + 60_000, [{ kind: "workflow", dueBy: Date.now(), limit: 10 }]);
          resolveClaimed(tasks.map((t) => t.id));
        });
        expect(await claimedMeanwhile).toEqual([]);
        // Committed: taken, once.
        expect((await claimTasks(worker, "w", Date.now(), Date.now() + 60_000, [{ kind: "workflow", dueBy: Date.now(), limit: 10 }])).map((t) => t.id)).toEqual([pending]);
      } finally {
        await sender.close();
        await worker.close();
      }
    },
  );

  (kind === "postgresql" ? it : () => undefined)(
    "PostgreSQL: a terminate that loses a deadlock with a worker's commit (task row, then run row) runs again and ends the run",
    async () => {
      const url = databases.freshUrl(kind);
      const engine = await Engine.open({ url });
      const worker = await openDatabase({ url, prisma: false });
      try {
        await engine.deploy(line("stopper", [{ id: "wait", type: "signal", signal: "go" }, { id: "done", type: "end" }]));
        const { runId } = await engine.start("stopper", { workflowId: "s-1" });
        let terminated: Promise<void> | undefined;
        await worker.transaction(async (tx) => {
          // As a worker's commit does: its task first…
          await tx.execute("UPDATE task SET due_at = due_at WHERE run_id = ?", [runId]);
          // …while the terminate locks the run row and waits for that task…
          terminated = engine.terminate("s-1", { by: "ops", reason: "test" });
          await new Promise((r) => setTimeout(r, 300));
          // …then the run row: PostgreSQL finds the cycle (after deadlock_timeout) and rolls back
          // the terminate, which waited first.
          await tx.execute("UPDATE run SET updated_at = updated_at WHERE run_id = ?", [runId]);
        });
        await terminated;
        expect((await engine.findRun("s-1")).status).toBe("terminated");
        expect(await pendingOf(engine.db, runId)).toEqual([]);
      } finally {
        await worker.close();
        await engine.close();
      }
    },
  );
});
