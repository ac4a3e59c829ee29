// The group commit: the steps of many runs go into one commit, and a unit that fails its
// checks (a lease lost to another worker, a run that moved on) fails alone and writes nothing.
// On PostgreSQL a batch of plain steps is one statement in autocommit that fails as a whole
// when a check fails; the committer then learns in a transaction which units failed.

import { afterAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { SeqConflict } from "../../engine/history-store.ts";
import { claimTasks } from "../../engine/task-store.ts";
import { GroupCommitter } from "../../engine/worker/committer.ts";
import { LeaseLost, type StepWrite } from "../../engine/worker/write-set.ts";
import { line } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("committer");
afterAll(() => databases.cleanup());

const WAIT = line("committer-wait", [
  { id: "wait", type: "timer", duration: "1h" },
  { id: "end", type: "end" },
]);

describe.each(["sqlite", "postgresql"] as const)("group commit on %s", (kind) => {
  let engine: Engine;
  beforeEach(async () => {
    engine = await Engine.open({ url: databases.freshUrl(kind) });
    await engine.deploy(WAIT);
  });
  afterEach(() => engine.close());

  /** Starts runs and claims their workflow tasks for "w1": task id by workflow id. */
  async function startAndClaim(ids: string[]): Promise<Map<string, { taskId: number; runId: string }>> {
    const runs = new Map<string, string>();
    for (const id of ids) runs.set((await engine.start(WAIT.name, { workflowId: id })).runId, id);
    const now = Date.now();
    const tasks = await claimTasks(engine.db, "w1", now, now + 60_000, [{ kind: "workflow", dueBy: now, limit: 100 }]);
    expect(tasks).toHaveLength(ids.length);
    return new Map(tasks.map((t) => [runs.get(t.runId)!, { taskId: t.id, runId: t.runId }]));
  }

  const timerStep = (runId: string, taskId: number, options: { owner?: string; expectedSeq?: number } = {}): StepWrite => {
    const at = Date.now();
    return {
      kind: "step",
      runId,
      task: { id: taskId, owner: options.owner ?? "w1" },
      guard: { expectedSeq: options.expectedSeq ?? 2, events: [{ type: "TimerStarted", cmd: 1, nodeId: "wait", dueAt: at + 3_600_000 }], at },
      consumed: [],
      tasks: [{ runId, kind: "timer", dueAt: at + 3_600_000, nodeId: "wait", data: engine.codec.encode({ cmd: 1 }) }],
    };
  };

  const historyLength = async (runId: string) =>
    Number((await engine.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM history_event WHERE run_id = ?", [runId]))[0]!.n);
  const taskIds = async (runId: string) => (await engine.db.query<{ id: number }>("SELECT id FROM task WHERE run_id = ? ORDER BY id", [runId])).map((r) => Number(r.id));

  it("a unit rolled back by a deadlock or a busy database is committed again; any other failure is its caller's", async () => {
    const committer = new GroupCommitter(engine.db, engine.codec);
    let runs = 0;
    const deadlocked = Object.assign(new Error("deadlock detected"), { code: kind === "postgresql" ? "40P01" : "SQLITE_BUSY" });
    const value = await committer.submit<string>({
      kind: "custom",
      run: async () => {
        runs++;
        if (runs < 3) throw deadlocked;
        return "written";
      },
    });
    expect({ value, runs }).toEqual({ value: "written", runs: 3 });
    await expect(committer.submit({ kind: "custom", run: async () => { throw new Error("no such table"); } })).rejects.toThrow("no such table");
  });

  it("commits the steps of many runs in one commit, each getting the ids of its new tasks", async () => {
    const claimed = await startAndClaim(["a", "b", "c", "d"]);
    const committer = new GroupCommitter(engine.db, engine.codec);
    const results = await Promise.all([...claimed.values()].map(({ runId, taskId }) => committer.submit<number[]>(timerStep(runId, taskId))));
    expect(committer.stats).toEqual({ commits: 1, units: 4 });
    for (const [i, { runId, taskId }] of [...claimed.values()].entries()) {
      expect(await historyLength(runId)).toBe(2);
      // The trigger's task is gone; the timer's task is there, with the id the unit was given.
      const ids = await taskIds(runId);
      expect(ids).not.toContain(taskId);
      expect(ids).toEqual(results[i]);
    }
  });

  it("fails only the units whose lease was lost or whose run moved on; they write nothing", async () => {
    const claimed = await startAndClaim(["ok-1", "lost", "moved", "ok-2"]);
    const committer = new GroupCommitter(engine.db, engine.codec);
    const unit = (id: string, options?: { owner?: string; expectedSeq?: number }) => {
      const { runId, taskId } = claimed.get(id)!;
      return committer.submit(timerStep(runId, taskId, options));
    };
    const outcomes = await Promise.allSettled([unit("ok-1"), unit("lost", { owner: "w2" }), unit("moved", { expectedSeq: 5 }), unit("ok-2")]);

    expect(outcomes[0]!.status).toBe("fulfilled");
    expect(outcomes[3]!.status).toBe("fulfilled");
    expect(outcomes[1]).toMatchObject({ status: "rejected", reason: expect.any(LeaseLost) });
    expect(outcomes[2]).toMatchObject({ status: "rejected", reason: expect.any(SeqConflict) });

    for (const id of ["ok-1", "ok-2"]) expect(await historyLength(claimed.get(id)!.runId)).toBe(2);
    for (const id of ["lost", "moved"]) {
      const { runId, taskId } = claimed.get(id)!;
      expect(await historyLength(runId)).toBe(1);
      expect(await taskIds(runId)).toEqual([taskId]);
    }
  });
});
