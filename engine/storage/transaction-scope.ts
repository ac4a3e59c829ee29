// Keeps transactions from waiting on themselves.
//
// On SQLite a process has one connection (see sqlite.ts) and one lock (`Gate`) that a
// transaction holds from BEGIN to COMMIT, across awaits. A statement issued through anything
// but the transaction's own `tx` while it is open (db.query, db.prisma, a nested
// db.transaction) would wait for that lock for ever. `TransactionScope` remembers, through
// AsyncLocalStorage, which transaction the current async call chain runs in, so those calls
// fail at once with a message instead. PostgreSQL uses the same rule, so code written on one
// database behaves the same on the other.
import { AsyncLocalStorage } from "node:async_hooks";

/** A FIFO async mutex. */
export class Gate {
  #locked = false;
  #waiters: Array<() => void> = [];

  get locked(): boolean {
    return this.#locked;
  }

  acquire(): Promise<() => void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve) => this.#waiters.push(() => resolve(this.#releaser())));
  }

  /**
   * Runs fn once the gate is free and releases it right after. fn must do its database work
   * synchronously (better-sqlite3 does, even behind Prisma's async adapter methods): the
   * gate is not held across fn's awaits. A free gate costs no wait.
   */
  async run<T>(fn: () => T): Promise<Awaited<T>> {
    if (!this.#locked) return await fn();
    const release = await this.acquire();
    let result: T;
    try {
      result = fn();
    } finally {
      release();
    }
    return await result;
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#locked = false;
    };
  }
}

interface OpenTransaction {
  owner: object;
  open: boolean;
}

const current = new AsyncLocalStorage<OpenTransaction>();

/**
 * The check is on in the test suite (and with WEFT_CHECK_TRANSACTIONS=1), which runs every
 * path that opens a transaction, and off otherwise: AsyncLocalStorage puts a hook on every
 * promise the process creates (on Node 20), about a seventh of what a busy worker allocates.
 */
const checking = process.env.WEFT_CHECK_TRANSACTIONS === "1" || process.env.VITEST !== undefined;

export class TransactionScope {
  /** owner: what a transaction locks (SQLite: the file's Gate; PostgreSQL: the Database). */
  constructor(private readonly owner: object) {}

  /** Runs fn marked as inside an open transaction of this owner. */
  async within<T>(fn: () => Promise<T>): Promise<T> {
    if (!checking) return fn();
    const mark: OpenTransaction = { owner: this.owner, open: true };
    try {
      return await current.run(mark, fn);
    } finally {
      // Work fn started but did not await keeps the mark; it is no longer inside.
      mark.open = false;
    }
  }

  /** Throws when called from inside an open transaction of this owner. */
  assertOutside(what: string): void {
    if (!checking) return;
    const mark = current.getStore();
    if (mark?.open && mark.owner === this.owner) {
      throw new Error(
        `${what} called inside db.transaction(): use the transaction's own handle (tx) there; ` +
          `anything else would wait for the transaction it runs in`,
      );
    }
  }
}
