// Dominator trees by the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
// Dominance Algorithm"): near-linear on the graphs people draw, and simple enough to trust.

export interface DominatorTree {
  /** Immediate dominator of each reachable node (the entry maps to itself). */
  idom: Map<string, string>;
  /** Does a dominate b (a node dominates itself)? O(1) after construction. */
  dominates(a: string, b: string): boolean;
  /** Reverse postorder of the reachable nodes. */
  order: string[];
}

export function dominatorTree(entry: string, succ: (id: string) => readonly string[]): DominatorTree {
  const order = reversePostorder(entry, succ);
  const index = new Map(order.map((id, i) => [id, i]));
  const preds = new Map<string, string[]>(order.map((id) => [id, []]));
  for (const id of order) for (const s of succ(id)) if (index.has(s)) preds.get(s)!.push(id);

  const idom = new Array<number>(order.length).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (a > b) a = idom[a];
      while (b > a) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 1; i < order.length; i++) {
      let next = -1;
      for (const p of preds.get(order[i])!) {
        const pi = index.get(p)!;
        if (idom[pi] === -1) continue;
        next = next === -1 ? pi : intersect(pi, next);
      }
      if (next !== -1 && idom[i] !== next) {
        idom[i] = next;
        changed = true;
      }
    }
  }

  // Number the tree depth-first so that dominance is an interval test.
  const children = order.map(() => [] as number[]);
  for (let i = 1; i < order.length; i++) children[idom[i]].push(i);
  const enter = new Array<number>(order.length);
  const leave = new Array<number>(order.length);
  let clock = 0;
  const stack: [number, number][] = [[0, 0]];
  enter[0] = clock++;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, child] = top;
    if (child < children[node].length) {
      top[1]++;
      const c = children[node][child];
      enter[c] = clock++;
      stack.push([c, 0]);
    } else {
      leave[node] = clock++;
      stack.pop();
    }
  }

  const idomMap = new Map(order.map((id, i) => [id, order[idom[i]]]));
  return {
    idom: idomMap,
    order,
    dominates(a, b) {
      const ai = index.get(a);
      const bi = index.get(b);
      if (ai === undefined || bi === undefined) return false;
      return enter[ai] <= enter[bi] && leave[bi] <= leave[ai];
    },
  };
}

export function reversePostorder(entry: string, succ: (id: string) => readonly string[]): string[] {
  const post: string[] = [];
  const seen = new Set<string>([entry]);
  const stack: [string, number][] = [[entry, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = succ(top[0]);
    if (top[1] < next.length) {
      const s = next[top[1]++];
      if (!seen.has(s)) {
        seen.add(s);
        stack.push([s, 0]);
      }
    } else {
      post.push(top[0]);
      stack.pop();
    }
  }
  return post.reverse();
}
