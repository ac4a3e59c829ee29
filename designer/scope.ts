// What an expression at a node may name, for completion: the fields of the workflow's input
// schema, the output variables defined on every path to the node (the compiler's own scope
// analysis), `workflow`'s fields and the helpers. Works on drawings with problems too: what
// cannot be analysed is left out.

import type { WorkflowDocument } from "../compiler/document.ts";
import { buildGraph } from "../compiler/graph.ts";
import { analyseScope } from "../compiler/scope.ts";

export interface ScopeNames {
  input: string[];
  variables: string[];
  workflow: readonly string[];
  helpers: readonly string[];
  math: readonly string[];
}

export const WORKFLOW_FIELDS = ["id", "runId", "startedAt", "now"] as const;
export const HELPERS = ["Math", "String", "Number", "Boolean", "addDuration", "startOfNextMonth"] as const;
export const MATH_FUNCTIONS = ["abs", "ceil", "floor", "round", "max", "min", "pow", "sqrt", "trunc", "sign", "log", "exp"] as const;

export function namesInScope(doc: WorkflowDocument, nodeId: string): ScopeNames {
  const schema = doc.inputSchema as { properties?: Record<string, unknown> } | undefined;
  const input = schema && typeof schema === "object" && schema.properties && typeof schema.properties === "object" ? Object.keys(schema.properties) : [];
  let variables: string[] = [];
  try {
    const nodes = doc.nodes.filter((n) => n && typeof n.id === "string");
    const graph = buildGraph({ ...doc, nodes, edges: doc.edges.filter((e) => e && typeof e.source === "string") });
    if (graph.start && graph.nodes.has(nodeId)) variables = analyseScope(graph).variablesAt(nodeId);
  } catch {
    variables = [];
  }
  return { input, variables, workflow: WORKFLOW_FIELDS, helpers: HELPERS, math: MATH_FUNCTIONS };
}
