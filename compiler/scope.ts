// Which variables are defined on every path from start to a node (a must-define analysis,
// loops included). A variable is defined along the handles of its node that succeed (a step's
// "error" edge and a wait's "timeout" edge do not define it).
//
// Rather than carrying sets of names through a fixpoint (quadratic on long documents), the graph
// is split: each defining node d gets a virtual node "d defined" that its defining edges pass
// through. A variable with one defining node is then defined at n exactly when "d defined"
// dominates n; a variable with several is defined at n when n cannot be reached from start
// without passing one of them, a reachability walk done once per such variable.

import { handleSkipsOutput, outputOf } from "./document.ts";
import { dominatorTree, type DominatorTree } from "./dominators.ts";
import type { Graph } from "./graph.ts";

const DEFINED = "\u0000defined:";

export interface Scope {
  /** Is `variable` defined on every path from start to `nodeId`? */
  isDefinedAt(variable: string, nodeId: string): boolean;
  /** The output variables defined on every path to `nodeId`, sorted. */
  variablesAt(nodeId: string): string[];
  /** Every output variable of the document, sorted. */
  variables: string[];
}

export function analyseScope(graph: Graph): Scope {
  const definers = new Map<string, string[]>();
  for (const id of graph.ids) {
    const output = outputOf(graph.nodes.get(id)!);
    if (output === undefined) continue;
    const list = definers.get(output) ?? [];
    list.push(id);
    definers.set(output, list);
  }

  const succ = (id: string): string[] => {
    if (id.startsWith(DEFINED)) {
      const source = id.slice(DEFINED.length);
      const node = graph.nodes.get(source)!;
      return (graph.out.get(source) ?? []).filter((o) => !handleSkipsOutput(node, o.handle)).map((o) => o.target);
    }
    const node = graph.nodes.get(id)!;
    const defines = outputOf(node) !== undefined;
    const next: string[] = [];
    let viaDefined = false;
    for (const o of graph.out.get(id) ?? []) {
      if (defines && !handleSkipsOutput(node, o.handle)) viaDefined = true;
      else next.push(o.target);
    }
    if (viaDefined) next.push(DEFINED + id);
    return next;
  };

  let tree: DominatorTree | undefined;
  const dominance = (): DominatorTree => (tree ??= dominatorTree(graph.start!, succ));
  const undefinedReach = new Map<string, Set<string>>();

  const reachAvoiding = (variable: string): Set<string> => {
    let set = undefinedReach.get(variable);
    if (set) return set;
    const blocked = new Set(definers.get(variable)!.map((d) => DEFINED + d));
    set = new Set<string>();
    const stack = [graph.start!];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (set.has(id)) continue;
      set.add(id);
      for (const s of succ(id)) if (!blocked.has(s) && !set.has(s)) stack.push(s);
    }
    undefinedReach.set(variable, set);
    return set;
  };

  const isDefinedAt = (variable: string, nodeId: string): boolean => {
    const defs = definers.get(variable);
    if (!defs || graph.start === undefined) return false;
    if (defs.length === 1) return dominance().dominates(DEFINED + defs[0], nodeId);
    return !reachAvoiding(variable).has(nodeId);
  };

  const variables = [...definers.keys()].sort();
  return {
    isDefinedAt,
    variables,
    variablesAt: (nodeId) => variables.filter((v) => isDefinedAt(v, nodeId)),
  };
}
