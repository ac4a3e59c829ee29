// The approvals waiting for a decision, followed once for every open inbox: one read of them
// (engine.approvals, which reads the runs waiting at an approval and any decision accepted for
// them) when a commit may have changed them, shared by all who follow, not one read per inbox
// per tick. Woken as the event streams are (Notifier): a commit of this process (a decision
// accepted, a run closed, a worker's step that opens or leaves a wait) at once, one of another
// process as the database tells; and a slow poll for what no notification carries. Reads are
// spaced by at least `minGapMs`, and by four times what the last one took, so that a busy
// worker's hundreds of commits a second cost a few reads, whatever the number of inboxes.

import type { Notifier } from "./notifier.ts";
import type { PendingApproval } from "./views.ts";

export type ApprovalsListener = (approvals: readonly PendingApproval[]) => void;

export interface ApprovalsFeedOptions {
  /** How often the approvals are read again while someone follows, notified or not. */
  pollMs?: number;
  /** The least time between the starts of two reads. */
  minGapMs?: number;
  /** A read that failed (the next wake-up or poll tries again). */
  onError?: (err: unknown) => void;
}

export class ApprovalsFeed {
  readonly #load: () => Promise<PendingApproval[]>;
  readonly #notifier: Notifier;
  readonly #pollMs: number;
  readonly #minGapMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #listeners = new Set<ApprovalsListener>();
  /** The approvals as last read, while someone follows; undefined before the first read. */
  #current: readonly PendingApproval[] | undefined;
  #fingerprint: string | undefined;
  #unlisten: Promise<() => Promise<void>> | undefined;
  #unfollow: (() => void) | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reading = false;
  /** Woken while a read was under way: read again after it. */
  #again = false;
  #lastStart = 0;
  #lastCost = 0;
  /** Reads made, for tests and benchmarks. */
  reads = 0;

  constructor(load: () => Promise<PendingApproval[]>, notifier: Notifier, options: ApprovalsFeedOptions = {}) {
    this.#load = load;
    this.#notifier = notifier;
    this.#pollMs = options.pollMs ?? 1000;
    this.#minGapMs = options.minGapMs ?? 50;
    this.#onError = options.onError ?? ((err) => console.error("weft: the approvals could not be read for the open inboxes:", err));
  }

  /** How many follow now. */
  get followers(): number {
    return this.#listeners.size;
  }

  /**
   * Calls `listener` with the approvals waiting for a decision (all of them: the caller's own
   * are for the caller to pick) as soon as they are known, then after each change, until the
   * function returned is called.
   */
  subscribe(listener: ApprovalsListener): () => Promise<void> {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    else if (this.#current !== undefined) listener(this.#current);
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) await this.#stop();
    };
  }

  #start(): void {
    const wake = () => this.#schedule();
    this.#unlisten = this.#notifier.listen(wake);
    this.#unfollow = this.#notifier.onAppend(wake);
    this.#poll = setInterval(wake, this.#pollMs);
    this.#poll.unref?.();
    this.#schedule();
  }

  async #stop(): Promise<void> {
    if (this.#poll !== undefined) clearInterval(this.#poll);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#poll = this.#timer = undefined;
    this.#unfollow?.();
    this.#unfollow = undefined;
    // Nobody follows: what was read goes stale from now, and is not handed to the next follower.
    this.#current = this.#fingerprint = undefined;
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    if (unlisten) await (await unlisten)();
  }

  #schedule(): void {
    if (this.#listeners.size === 0) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    if (this.#timer !== undefined) return;
    const gap = Math.max(this.#minGapMs, 4 * this.#lastCost);
    const wait = Math.max(0, this.#lastStart + gap - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#read();
    }, wait);
  }

  async #read(): Promise<void> {
    if (this.#listeners.size === 0) return;
    this.#reading = true;
    this.#again = false;
    const started = Date.now();
    this.#lastStart = started;
    try {
      const approvals = await this.#load();
      this.reads++;
      this.#lastCost = Date.now() - started;
      const fingerprint = JSON.stringify(approvals);
      if (this.#listeners.size > 0 && fingerprint !== this.#fingerprint) {
        this.#current = approvals;
        this.#fingerprint = fingerprint;
        for (const listener of [...this.#listeners]) listener(approvals);
      }
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#reading = false;
      if (this.#again) this.#schedule();
    }
  }
}
