// From a graph to the shape of code: straight-line sequences, if/else at forks, `while` at loops.
// The result is a small tree (Stmt) that each code generator prints; where a drawing is not
// structured (an irreducible loop, paths that cross without meeting), the whole body falls back
// to an explicit state machine, which is always correct.

import { dominatorTree, reversePostorder } from "./dominators.ts";
import type { Graph } from "./graph.ts";
import { successors } from "./graph.ts";

/** One arm of a fork: the handles that lead into it and what runs there. */
export interface Arm {
  handles: string[];
  target: string;
  body: Stmt[];
}

export type Stmt =
  /** A node with at most one way on (step, timer, signal without timeout, start). */
  | { kind: "node"; id: string }
  /** A node with several ways on (branch, approval, step with error edge, signal with timeout). */
  | { kind: "fork"; id: string; arms: Arm[] }
  /** An end node: the run completes or fails here. */
  | { kind: "end"; id: string }
  | { kind: "loop"; header: string; body: Stmt[]; resumable: boolean }
  /** The back edge of a loop. */
  | { kind: "continue"; header: string; resumable: boolean }
  | { kind: "break" }
  /** Code skipped by a run that continued as new at one of `loops` (or at any, if undefined). */
  | { kind: "guard"; unless: string[]; body: Stmt[] };

export type Structure =
  | { kind: "structured"; body: Stmt[] }
  | { kind: "machine"; entry: string; states: string[]; backEdges: Set<string> };

class Unstructured extends Error {}

const EXIT = "\u0000exit";

export function structure(graph: Graph): Structure {
  const start = graph.start!;
  const succ = (id: string) => successors(graph, id);
  const rpo = reversePostorder(start, succ);
  const rank = new Map(rpo.map((id, i) => [id, i]));
  const dom = dominatorTree(start, succ);

  // Back edges go to a node that dominates their source; any other retreating edge makes the
  // graph irreducible, which no nesting of `while` loops can express. Every cycle has a
  // retreating edge, so the state machine marks them all: each is where a run that has gone
  // round many times may continue as new.
  const backEdges = new Set<string>();
  let reducible = true;
  for (const u of rpo) {
    for (const v of succ(u)) {
      if (rank.get(v)! > rank.get(u)!) continue;
      if (!dom.dominates(v, u)) reducible = false;
      backEdges.add(edgeKey(u, v));
    }
  }
  const machine = (): Structure => ({ kind: "machine", entry: start, states: rpo, backEdges });
  if (!reducible) return machine();
  try {
    return { kind: "structured", body: new Structurer(graph, rpo, rank, backEdges).run() };
  } catch (err) {
    if (err instanceof Unstructured) return machine();
    throw err;
  }
}

export function edgeKey(u: string, v: string): string {
  return `${u}\u0000${v}`;
}

interface Context {
  /** Where the enclosing fork's arms meet: the sequence stops before it. */
  stop?: string;
  loopHeader?: string;
  loopFollow?: string;
  /** Whether a loop starting here sits in the function's top-level sequence. */
  topLevel: boolean;
}

class Structurer {
  private readonly emitted = new Set<string>();
  /** Loops whose back edge may continue the run as new (see guardTopLevelLoops). */
  private readonly resumable = new Set<string>();
  private readonly loops = new Map<string, { body: Set<string>; follow?: string }>();
  private readonly acyclic: (id: string) => string[];
  private readonly ipdom: Map<string, string>;

  constructor(
    private readonly graph: Graph,
    private readonly rpo: string[],
    private readonly rank: Map<string, number>,
    private readonly backEdges: Set<string>,
  ) {
    this.acyclic = (id) => successors(graph, id).filter((s) => !backEdges.has(edgeKey(id, s)));
    this.findLoops();
    this.ipdom = this.postDominators();
  }

  run(): Stmt[] {
    const start = this.graph.start!;
    this.emitted.add(start);
    const first = this.graph.out.get(start)?.[0]?.target;
    const body = first === undefined ? [] : this.sequence(first, { topLevel: true });
    return guardTopLevelLoops(body);
  }

  private findLoops(): void {
    const preds = new Map<string, string[]>(this.rpo.map((id) => [id, []]));
    for (const u of this.rpo) for (const v of successors(this.graph, u)) preds.get(v)?.push(u);
    for (const u of this.rpo) {
      for (const h of successors(this.graph, u)) {
        if (!this.backEdges.has(edgeKey(u, h))) continue;
        const loop = this.loops.get(h) ?? { body: new Set([h]) };
        const stack = [u];
        while (stack.length > 0) {
          const n = stack.pop()!;
          if (loop.body.has(n)) continue;
          loop.body.add(n);
          stack.push(...preds.get(n)!);
        }
        this.loops.set(h, loop);
      }
    }
    for (const loop of this.loops.values()) {
      const exits: string[] = [];
      for (const n of loop.body) for (const s of successors(this.graph, n)) if (!loop.body.has(s) && !exits.includes(s)) exits.push(s);
      exits.sort((a, b) => this.rank.get(a)! - this.rank.get(b)!);
      // The loop continues at the exit that the other ways out lead to, if there is one; ways
      // out that end the run on their own are written inside the loop.
      loop.follow = exits.find((t) => exits.every((o) => o === t || this.reaches(o, t))) ?? exits.find((t) => !this.terminal(t));
    }
  }

  private reaches(from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === to) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...this.acyclic(n));
    }
    return false;
  }

  /** Does every path from `id` end at an end node without looping? */
  private terminal(id: string): boolean {
    const seen = new Set<string>();
    const stack = [id];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const s of successors(this.graph, n)) {
        if (this.backEdges.has(edgeKey(n, s))) return false;
        stack.push(s);
      }
    }
    return true;
  }

  private postDominators(): Map<string, string> {
    const preds = new Map<string, string[]>([[EXIT, []]]);
    for (const id of this.rpo) preds.set(id, []);
    for (const id of this.rpo) {
      const next = this.acyclic(id);
      if (next.length === 0) preds.get(EXIT)!.push(id);
      for (const s of next) preds.get(s)!.push(id);
    }
    for (const list of preds.values()) list.sort((a, b) => this.rank.get(b)! - this.rank.get(a)!);
    return dominatorTree(EXIT, (id) => preds.get(id) ?? []).idom;
  }

  /** Where the arms of a fork meet again, if they do. */
  private merge(id: string, arms: string[], stop: string | undefined): string | undefined {
    const pdom = this.ipdom.get(id);
    if (pdom !== undefined && pdom !== EXIT) return pdom;
    // No single node is on every way on, because some arms end the run: the arms that go on
    // meet at the earliest node that two of them reach. The arms are walked together in
    // reverse postorder (a topological order once back edges are left out), so a node is
    // visited after every node before it: the first one two arms have reached is the
    // earliest, and once at most one arm is still walking, none can be. The walk stays near
    // the fork instead of covering the rest of the graph, which made long drawings quadratic.
    const reachedBy = new Map<string, number[]>();
    const heap = new RankHeap(this.rank);
    /** How many nodes waiting in the heap each arm has reached. */
    const waiting = arms.map(() => 0);
    let walking = 0;
    const reach = (n: string, from: readonly number[]) => {
      let tags = reachedBy.get(n);
      if (tags === undefined) {
        tags = [];
        reachedBy.set(n, tags);
        heap.push(n);
      }
      for (const arm of from) {
        if (tags.includes(arm)) continue;
        tags.push(arm);
        if (waiting[arm]++ === 0) walking++;
      }
    };
    arms.forEach((arm, i) => reach(arm, [i]));
    let fallsThrough = false;
    while (walking >= 2) {
      const n = heap.pop()!;
      const tags = reachedBy.get(n)!;
      if (tags.length >= 2) return n;
      if (n === stop) fallsThrough = true;
      for (const arm of tags) if (--waiting[arm] === 0) walking--;
      for (const s of this.acyclic(n)) reach(s, tags);
    }
    // The arms never meet. All but one have been walked to their ends: if none of them runs
    // on to where the enclosing construct goes on (each ends the run, or loops or leaves a loop
    // with `continue` or `break`), the code goes on with the remaining arm after the fork, as a
    // developer writes an early return, instead of nesting the rest of the drawing in it.
    const live = waiting.findIndex((w) => w > 0);
    return walking === 1 && !fallsThrough ? arms[live] : undefined;
  }

  private sequence(first: string, ctx: Context): Stmt[] {
    const out: Stmt[] = [];
    let n: string | undefined = first;
    while (n !== undefined) {
      if (n === ctx.stop) break;
      // Inside a loop, reaching its header again (at the end of the body, or in an arm of a
      // fork such as a branch that decides whether to go round again) is the back edge.
      if (n === ctx.loopHeader) {
        out.push({ kind: "continue", header: n, resumable: this.resumable.has(n) });
        break;
      }
      if (n === ctx.loopFollow) {
        out.push({ kind: "break" });
        break;
      }
      const loop = this.loops.get(n);
      if (loop && n !== ctx.loopHeader) {
        if (ctx.topLevel) this.resumable.add(n);
        const inner: Context = { loopHeader: n, loopFollow: loop.follow, topLevel: false };
        out.push({ kind: "loop", header: n, body: this.loopBody(n, inner), resumable: ctx.topLevel });
        n = loop.follow;
        continue;
      }
      n = this.node(n, out, ctx);
    }
    return out;
  }

  private loopBody(header: string, ctx: Context): Stmt[] {
    const out: Stmt[] = [];
    const next = this.node(header, out, ctx);
    if (next !== undefined) out.push(...this.sequence(next, ctx));
    return out;
  }

  /** Emits one node; returns the node the sequence goes on with, if any. */
  private node(id: string, out: Stmt[], ctx: Context): string | undefined {
    if (this.emitted.has(id)) throw new Unstructured(id);
    this.emitted.add(id);
    const node = this.graph.nodes.get(id)!;
    if (node.type === "end") {
      out.push({ kind: "end", id });
      return undefined;
    }
    const edges = this.graph.out.get(id) ?? [];
    const forks = node.type === "branch" || node.type === "approval" || edges.length > 1;
    if (!forks) {
      out.push({ kind: "node", id });
      return edges[0]?.target;
    }
    const targets: string[] = [];
    for (const e of edges) if (!targets.includes(e.target)) targets.push(e.target);
    const merge = this.merge(id, targets, ctx.stop);
    const arms: Arm[] = targets.map((target) => ({
      handles: edges.filter((e) => e.target === target).map((e) => e.handle),
      target,
      body: [],
    }));
    // Handles stay in the node kind's order, so arms are printed in the order people expect.
    // Arms that do not meet again run on until the enclosing construct's meeting point.
    for (const arm of arms) arm.body = this.sequence(arm.target, { ...ctx, stop: merge ?? ctx.stop, topLevel: false });
    out.push({ kind: "fork", id, arms });
    return merge;
  }
}

/** A min-heap of node ids by their rank in reverse postorder. */
class RankHeap {
  private readonly items: string[] = [];
  constructor(private readonly rank: ReadonlyMap<string, number>) {}

  push(id: string): void {
    const items = this.items;
    items.push(id);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.before(items[parent], items[i])) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.before(items[left], items[least])) least = left;
      if (right < items.length && this.before(items[right], items[least])) least = right;
      if (least === i) break;
      [items[least], items[i]] = [items[i], items[least]];
      i = least;
    }
    return top;
  }

  private before(a: string, b: string): boolean {
    return this.rank.get(a)! < this.rank.get(b)!;
  }
}

/**
 * A run that continued as new at a top-level loop starts there: the code before each such
 * loop is wrapped so that a run continued at it (or at a later one) skips that code. The guards
 * follow one another rather than nest: the statements from one top-level loop up to the next
 * are skipped by a run continued at any later loop. (Nested guards indented everything before
 * the last loop once per loop, which made long drawings' modules grow quadratically.)
 */
function guardTopLevelLoops(body: Stmt[]): Stmt[] {
  const loops: number[] = [];
  body.forEach((s, i) => {
    if (s.kind === "loop") loops.push(i);
  });
  const header = (i: number) => (body[i] as { header: string }).header;
  const out: Stmt[] = [];
  let from = 0;
  loops.forEach((at, j) => {
    if (at > from) out.push({ kind: "guard", unless: loops.slice(j).map(header), body: body.slice(from, at) });
    from = at;
  });
  out.push(...body.slice(from));
  return out;
}
