// Group commit: the writes of many runs' steps go into one transaction. While one transaction
// is being committed, new units queue up and go together in the next, so under load a commit
// carries many steps and the cost per step falls; alone, a unit is committed at the next turn
// of the event loop.
// One unit that fails (a lost race) is rolled back alone: the batch is then committed again with
// each unit inside a savepoint (see flush).

import type { Database, SqlExecutor } from "../storage/types.ts";

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

type Unit<T> = {
  run: (tx: SqlExecutor) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
};

export class GroupCommitter {
  private queue: Unit<any>[] = [];
  private scheduled = false;
  /** Committed transactions and units, for the benchmark's commits-per-step figure. */
  readonly stats = { commits: 0, units: 0 };

  /** Transactions in flight at once: one on SQLite (one writer), a few on PostgreSQL. */
  private readonly lanes: number;
  private running = 0;

  constructor(
    private readonly db: Database,
    private readonly maxUnits = 500,
    lanes?: number,
  ) {
    this.lanes = lanes ?? (db.kind === "postgresql" ? 4 : 1);
  }

  submit<T>(run: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
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
        const batch = this.queue.splice(0, this.maxUnits);
        let outcomes: Outcome[];
        try {
          try {
            // Optimistic: no savepoints (two round trips per unit on PostgreSQL), since units
            // rarely fail (a lost race). A failure rolls the whole transaction back; alone, that
            // is the unit's outcome; with others, the batch runs again with each unit in a
            // savepoint, so that only the units that fail fail. A unit may therefore run twice:
            // it must write only through `tx`.
            outcomes = await this.commit(batch, false);
          } catch (error) {
            if (batch.length === 1) throw error;
            outcomes = await this.commit(batch, true);
          }
        } catch (error) {
          for (const unit of batch) unit.reject(error);
          continue;
        }
        batch.forEach((unit, i) => {
          const o = outcomes[i]!;
          if (o.ok) unit.resolve(o.value);
          else unit.reject(o.error);
        });
      }
    } finally {
      this.running--;
    }
  }

  private async commit(batch: Unit<any>[], isolated: boolean): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    await this.db.transaction(async (tx) => {
      outcomes.length = 0;
      for (const unit of batch) {
        if (!isolated) {
          outcomes.push({ ok: true, value: await unit.run(tx) });
          continue;
        }
        await tx.execute("SAVEPOINT unit");
        try {
          const value = await unit.run(tx);
          await tx.execute("RELEASE SAVEPOINT unit");
          outcomes.push({ ok: true, value });
        } catch (error) {
          await tx.execute("ROLLBACK TO SAVEPOINT unit");
          await tx.execute("RELEASE SAVEPOINT unit");
          outcomes.push({ ok: false, error });
        }
      }
    });
    this.stats.commits++;
    this.stats.units += batch.length;
    return outcomes;
  }
}
