// What a workflow waits for from outside: the signals its signal nodes take, and its approval
// nodes (each takes `approve` / `decline` addressed to it). The engine stores this with each
// deployed version and checks a signal or a decision against it before storing it, since one
// that no node ever takes would sit in the run's inbox for ever. Computed from the checked
// document, the same one the code is generated from, so the two cannot disagree.

import type { WorkflowDocument } from "./document.ts";

export interface Waits {
  /** Signal names, sorted, each once. */
  signals: string[];
  /** Approval node ids, sorted. */
  approvals: string[];
}

export function waitsOf(document: Pick<WorkflowDocument, "nodes">): Waits {
  const signals = new Set<string>();
  const approvals = new Set<string>();
  for (const node of document.nodes) {
    switch (node.type) {
      case "signal":
        signals.add(node.signal);
        break;
      case "approval":
        approvals.add(node.id);
        break;
      case "start":
      case "step":
      case "timer":
      case "branch":
      case "end":
        break;
      default: {
        // A new node kind that waits for something (a `wait` node's signals) must be added here.
        const never: never = node;
        void never;
      }
    }
  }
  return { signals: [...signals].sort(), approvals: [...approvals].sort() };
}
