// Group commit: the writes of many runs' steps go into one transaction. While one transaction
// is being committed, new units queue up and go together in the next, so under load a commit
// carries many steps and the cost per step falls; alone, a unit is committed at the next turn
// of the event loop.
//
// Units are write sets (write-set.ts), not code, so that on PostgreSQL a batch is written with a
// few set-based statements whatever its size (every statement there is a round trip); on SQLite
// (no round trips) each unit runs its own prepared statements. A unit that fails its checks (a
// lost lease, a run that moved on) fails alone: on PostgreSQL the batch is rolled back and
// committed again without it; any other error has the batch committed again with each unit in a
// savepoint (see flush), so that only the units that fail fail.

import type { PayloadCodec } from "../codec.ts";
import type { Database } from "../storage/types.ts";
import { CHANNEL } from "../notifier.ts";
import { isTransientDatabaseError } from "../errors.ts";
import { applyBatchPostgres, applyOne, isBatchCheckFailure, isSingleStatementBatch, UnitsFailed, type Outcome, type Write } from "./write-set.ts";

type Unit = {
  write: Write;
  resolve: (value: any) => void;
  reject: (err: unknown) => void;
  /** Times it was rolled back by a deadlock or a busy database and queued again. */
  retries: number;
};

/** A unit that loses a deadlock is queued again this many times before its caller hears of it. */
const TRANSIENT_RETRIES = 8;

export class GroupCommitter {
  private queue: Unit[] = [];
  private scheduled = false;
  /** Committed transactions and units, for the benchmark's commits-per-step figure. */
  readonly stats = { commits: 0, units: 0 };

  /** Transactions in flight at once: one on SQLite (one writer), a few on PostgreSQL. */
  private readonly lanes: number;
  private running = 0;
  /** Called after each commit whose units asked to notify (this process's listeners). */
  onNotify: (() => void) | undefined;
  /** Called after each commit with the runs whose histories it appended to (see Notifier.appended). */
  onCommit: ((runIds: string[]) => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly codec: PayloadCodec,
    private readonly maxUnits = 500,
    lanes?: number,
  ) {
    this.lanes = lanes ?? (db.kind === "postgresql" ? 4 : 1);
  }

  submit<T = unknown>(write: Write): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve, reject, retries: 0 });
      // The flush starts at the next turn of the event loop, not now: on SQLite a transaction
      // never waits for I/O (better-sqlite3 is synchronous), so one started at once would
      // finish before any other run's unit could join it, and every unit would pay a commit
      // of its own. Units submitted in the same turn go together.
      if (this.running < this.lanes && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.running >= this.lanes || this.queue.length === 0) return;
    this.running++;
    try {
      while (this.queue.length > 0) {
        let batch = this.queue.splice(0, this.maxUnits);
        let outcomes: Outcome[] | undefined;
        try {
          // Optimistic: no savepoints (two round trips per unit on PostgreSQL), since units
          // rarely fail. A unit failing its checks on PostgreSQL is named (UnitsFailed): it is
          // rejected and the others are committed again without it. Any other failure rolls the
          // whole transaction back; alone, that is the unit's outcome; with others, the batch
          // runs again with each unit in a savepoint. A unit may therefore run twice: a custom
          // unit must write only through `tx`.
          for (;;) {
            try {
              outcomes = await this.commit(batch, false);
              break;
            } catch (error) {
              if (!(error instanceof UnitsFailed)) throw error;
              const rest: Unit[] = [];
              batch.forEach((unit, i) => {
                const o = error.outcomes[i];
                if (o && !o.ok) this.fail(unit, o.error);
                else rest.push(unit);
              });
              batch = rest;
              if (batch.length === 0) break;
            }
          }
        } catch (error) {
          if (batch.length === 1) {
            this.fail(batch[0]!, error);
            continue;
          }
          try {
            outcomes = await this.commit(batch, true);
          } catch (error) {
            for (const unit of batch) this.fail(unit, error);
            continue;
          }
        }
        if (!outcomes) continue;
        const done = outcomes;
        batch.forEach((unit, i) => {
          const o = done[i]!;
          if (o.ok) unit.resolve(o.value);
          else this.fail(unit, o.error);
        });
        if (batch.some((u, i) => u.write.notify && done[i]!.ok)) this.onNotify?.();
        if (this.onCommit) {
          const appended = batch.flatMap((u, i) => (done[i]!.ok ? appendedRuns(u.write) : []));
          if (appended.length > 0) this.onCommit(appended);
        }
      }
    } finally {
      this.running--;
    }
  }

  /**
   * A unit that failed only because another transaction held what it needed (PostgreSQL broke
   * a deadlock by rolling it back; SQLite was busy) wrote nothing: it is queued again, after a
   * short random wait so that the two do not meet again, rather than failing a signal, a start
   * or a step that nothing was wrong with. Any other failure is the caller's.
   */
  private fail(unit: Unit, error: unknown): void {
    if (!isTransientDatabaseError(error) || unit.retries >= TRANSIENT_RETRIES) {
      unit.reject(error);
      return;
    }
    unit.retries++;
    setTimeout(() => {
      this.queue.push(unit);
      void this.flush();
    }, 2 + Math.random() * 10 * unit.retries);
  }

  private async commit(batch: Unit[], isolated: boolean): Promise<Outcome[]> {
    const writes = batch.map((u) => u.write);
    const postgres = this.db.kind === "postgresql";
    if (postgres && !isolated && isSingleStatementBatch(writes)) {
      // One statement, atomic by itself: no BEGIN and COMMIT round trips. When a unit fails
      // its checks nothing is written, and the transaction below names the units that failed.
      try {
        const outcomes = await applyBatchPostgres(this.db, this.codec, writes, true);
        this.stats.commits++;
        this.stats.units += batch.length;
        return outcomes;
      } catch (error) {
        if (!isBatchCheckFailure(error)) throw error;
      }
    }
    const outcomes = await this.db.transaction(async (tx) => {
      if (postgres && !isolated) return applyBatchPostgres(tx, this.codec, writes);
      const outcomes: Outcome[] = [];
      for (const write of writes) {
        if (!isolated) {
          outcomes.push({ ok: true, value: await applyOne(tx, this.codec, write) });
          continue;
        }
        await tx.execute("SAVEPOINT unit");
        try {
          const value = await applyOne(tx, this.codec, write);
          await tx.execute("RELEASE SAVEPOINT unit");
          outcomes.push({ ok: true, value });
        } catch (error) {
          await tx.execute("ROLLBACK TO SAVEPOINT unit");
          await tx.execute("RELEASE SAVEPOINT unit");
          outcomes.push({ ok: false, error });
        }
      }
      if (postgres && writes.some((w, i) => w.notify && outcomes[i]!.ok)) await tx.execute(`NOTIFY ${CHANNEL}`);
      return outcomes;
    });
    this.stats.commits++;
    this.stats.units += batch.length;
    return outcomes;
  }
}

/** The runs whose histories a write appends to. */
function appendedRuns(write: Write): string[] {
  switch (write.kind) {
    case "step":
      return [...(write.guard && write.guard.events.length > 0 ? [write.runId] : []), ...(write.continued ? [write.continued.run.runId] : [])];
    case "start":
      return [write.run.runId];
    case "custom":
      return [];
  }
}
