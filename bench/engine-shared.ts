// What the engine benchmark's parent process and its worker processes share: the workflow
// documents, the trivial activities, and a counter of the commits a process makes.

import type { ActivityDefinition } from "../engine/activity.ts";
import type { Database, Row, SqlExecutor, SqlValue } from "../engine/storage/types.ts";

type Edge = { id: string; source: string; target: string; sourceHandle?: string };
const edges = (...pairs: [string, string, string?][]): Edge[] =>
  pairs.map(([source, target, sourceHandle], i) => ({ id: `e${i + 1}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) }));

/** start → a → b → c → end, each step an activity that returns at once. */
export const THREE_STEPS = {
  name: "bench-three-steps",
  nodes: [
    { id: "start", type: "start" },
    { id: "a", type: "step", activity: "bench.noop", input: { n: 1 } },
    { id: "b", type: "step", activity: "bench.noop", input: { n: 2 } },
    { id: "c", type: "step", activity: "bench.noop", input: { n: 3 } },
    { id: "end", type: "end" },
  ],
  edges: edges(["start", "a"], ["a", "b"], ["b", "c"], ["c", "end"]),
};

/** start → timer until input.until → end. */
export const ONE_TIMER = {
  name: "bench-one-timer",
  nodes: [
    { id: "start", type: "start" },
    { id: "wait", type: "timer", until: "=input.until" },
    { id: "end", type: "end" },
  ],
  edges: edges(["start", "wait"], ["wait", "end"]),
};

/** start → wait for the signal "go" → a step that stamps the time → end. */
export const SIGNAL_THEN_STEP = {
  name: "bench-signal",
  nodes: [
    { id: "start", type: "start" },
    { id: "go", type: "signal", signal: "go", output: "payload" },
    { id: "after", type: "step", activity: "bench.stamp", input: { key: "=workflow.id" } },
    { id: "end", type: "end" },
  ],
  edges: edges(["start", "go"], ["go", "after"], ["after", "end"]),
};

/** A loop: tick (counts per workflow id) → branch: done after input.n ticks, else back to tick. */
export const LOOP = {
  name: "bench-loop",
  nodes: [
    { id: "start", type: "start" },
    { id: "tick", type: "step", activity: "bench.tick", input: { key: "=workflow.id" }, output: "t" },
    { id: "more", type: "branch", conditions: [{ handle: "done", when: "=t.i >= input.n" }] },
    { id: "end", type: "end" },
  ],
  edges: edges(["start", "tick"], ["tick", "more"], ["more", "end", "done"], ["more", "tick", "else"]),
};

export const DOCUMENTS = [THREE_STEPS, ONE_TIMER, SIGNAL_THEN_STEP, LOOP];

/** What the activities observed (in this process). */
export const observed = {
  /** bench.stamp: when it ran (performance.now()), by key. */
  stamps: new Map<string, number>(),
  /** bench.tick: when each tick ran (performance.now()), by key. */
  ticks: new Map<string, number[]>(),
};

export function benchActivities(): Map<string, ActivityDefinition> {
  const list: ActivityDefinition[] = [
    { name: "bench.noop", run: () => ({}) },
    {
      name: "bench.stamp",
      run: (input: { key: string }) => {
        observed.stamps.set(input.key, performance.now());
        return {};
      },
    },
    {
      name: "bench.tick",
      run: (input: { key: string }) => {
        let ticks = observed.ticks.get(input.key);
        if (!ticks) observed.ticks.set(input.key, (ticks = []));
        ticks.push(performance.now());
        return { i: ticks.length };
      },
    },
  ];
  return new Map(list.map((a) => [a.name, a]));
}

/**
 * Counts the commits a process makes through a Database: transactions, and writes outside a
 * transaction that changed rows (claims, lease renewals: each is a commit of its own). Wraps
 * the instance's methods; call before anything holds on to them.
 */
export interface CommitCounter {
  transactions: number;
  autocommitWrites: number;
  notifies: number;
}

export function countCommits(db: Database): CommitCounter {
  const counter: CommitCounter = { transactions: 0, autocommitWrites: 0, notifies: 0 };
  // A WITH is the group commit's one statement on PostgreSQL (data-modifying CTEs).
  const isWrite = (sql: string) => /^\s*(UPDATE|INSERT|DELETE|WITH)\b/i.test(sql);
  const query = db.query.bind(db);
  const execute = db.execute.bind(db);
  const transaction = db.transaction.bind(db);
  const target = db as { -readonly [K in keyof Database]: Database[K] };
  target.query = async <T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> => {
    const rows = await query<T>(sql, params);
    if (rows.length > 0 && isWrite(sql)) counter.autocommitWrites++;
    return rows;
  };
  target.execute = async (sql: string, params?: readonly SqlValue[]): Promise<number> => {
    const changed = await execute(sql, params);
    if (/^\s*NOTIFY\b/i.test(sql)) counter.notifies++;
    else if (changed > 0 && isWrite(sql)) counter.autocommitWrites++;
    return changed;
  };
  target.transaction = async <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
    const result = await transaction(fn);
    counter.transactions++;
    return result;
  };
  return counter;
}
