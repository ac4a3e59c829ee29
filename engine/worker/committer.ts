// Group commit: the writes of many runs' steps go into one transaction. While one transaction
// is being committed, new units queue up and go together in the next, so under load a commit
// carries many steps and the cost per step falls; alone, a unit is committed at the next turn
// of the event loop.
// Each unit runs inside a savepoint, so one unit that fails (a lost race) is rolled back alone.

import type { Database, SqlExecutor } from "../storage/types.ts";

type Unit<T> = {
  run: (tx: SqlExecutor) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
};

export class GroupCommitter {
  private queue: Unit<any>[] = [];
  private flushing = false;
  private scheduled = false;
  /** Committed transactions and units, for the benchmark's commits-per-step figure. */
  readonly stats = { commits: 0, units: 0 };

  constructor(
    private readonly db: Database,
    private readonly maxUnits = 500,
  ) {}

  submit<T>(run: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      // The flush starts at the next turn of the event loop, not now: on SQLite a transaction
      // never waits for I/O (better-sqlite3 is synchronous), so one started at once would
      // finish before any other run's unit could join it, and every unit would pay a commit
      // of its own. Units submitted in the same turn go together.
      if (!this.flushing && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxUnits);
        const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        try {
          await this.db.transaction(async (tx) => {
            outcomes.length = 0;
            for (const unit of batch) {
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
        } catch (error) {
          for (const unit of batch) unit.reject(error);
          continue;
        }
        batch.forEach((unit, i) => {
          const o = outcomes[i];
          if (o.ok) unit.resolve(o.value);
          else unit.reject(o.error);
        });
      }
    } finally {
      this.flushing = false;
    }
  }
}
