// One catalogue of node kinds: what each kind is called, the fields the inspector shows, the
// handles it leaves from (named ones included), and the node a palette button adds. The palette,
// the inspector, the canvas's handles and the connection rules all read it, and the handles come
// from the compiler's own `handlesOf`, so what the designer lets you draw is what the compiler
// accepts. A new node kind is added here (and in the compiler's document types).

import { handlesOf, NODE_TYPES, PLAIN_HANDLE, type NodeType, type WorkflowNode } from "../compiler/document.ts";

export type FieldType =
  /** Free text. */
  | "text"
  /** A variable name ([A-Za-z_$][A-Za-z0-9_$]*). */
  | "identifier"
  /** "500ms", "10s", "5m", "2h", "7d" or ISO 8601. */
  | "duration"
  /** An expression (a string beginning with "="). */
  | "expression"
  /** A value: a literal or an expression, objects and arrays walked. */
  | "value"
  /** A list of names. */
  | "names"
  /** One of a few choices. */
  | "choice"
  /** An activity's name (a step's). */
  | "activity"
  /** A retry policy. */
  | "retry"
  /** A branch's ordered conditions. */
  | "conditions";

export interface FieldSpec {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  /** A sentence shown under the field. */
  help?: string;
  choices?: readonly string[];
}

export interface HandleSpec {
  /** The edge's `sourceHandle`; "" is the plain handle (an edge without `sourceHandle`). */
  id: string;
  /** What the handle reads as on the node ("approved", "else"); "" for the plain one. */
  label: string;
  /** Whether the compiler requires an edge from it. */
  required: boolean;
}

export interface NodeKind {
  type: NodeType;
  /** The palette's and the inspector's name: "Step". */
  title: string;
  /** A sentence for the palette's tooltip and the inspector. */
  description: string;
  /** The name of the icon the canvas and the palette draw. */
  icon: string;
  fields: readonly FieldSpec[];
  /** Whether edges may lead into it (all but start). */
  hasInput: boolean;
  /** Whether the palette offers it (a workflow has exactly one start, which a blank one has). */
  inPalette: boolean;
  /** The node the palette adds, with the id it is given. */
  create(id: string): WorkflowNode;
}

const common: FieldSpec[] = [{ key: "label", label: "Label", type: "text", help: "What the node reads as on the drawing; its id when empty." }];

const RETRY_HELP = "Without one, Temporal's default: 1 s, then twice as long each time up to 100 s, with no limit on attempts.";

export const NODE_KINDS: Readonly<Record<NodeType, NodeKind>> = {
  start: {
    type: "start",
    title: "Start",
    description: "Where every run begins; a workflow has exactly one.",
    icon: "play",
    fields: common,
    hasInput: false,
    inPalette: false,
    create: (id) => ({ id, type: "start" }),
  },
  step: {
    type: "step",
    title: "Step",
    description: "Calls an activity (a payment, an e-mail, an HTTP request), retried by its policy.",
    icon: "gear",
    fields: [
      ...common,
      { key: "activity", label: "Activity", type: "activity", required: true, help: "The activity a worker runs, such as orders.init." },
      { key: "input", label: "Input", type: "value", help: "What the activity is given; a text beginning with = is an expression." },
      { key: "output", label: "Output variable", type: "identifier", help: "The name later nodes read the result by." },
      { key: "timeout", label: "Timeout", type: "duration", help: "How long one attempt may take: 500ms, 10s, 5m, 2h, 7d. Without one, 5 minutes." },
      { key: "retry", label: "Retry policy", type: "retry", help: RETRY_HELP },
    ],
    hasInput: true,
    inPalette: true,
    create: (id) => ({ id, type: "step", activity: "" }),
  },
  timer: {
    type: "timer",
    title: "Timer",
    description: "Waits for a while, or until a time; the run holds no memory meanwhile.",
    icon: "clock",
    fields: [
      ...common,
      { key: "duration", label: "Duration", type: "duration", help: "500ms, 10s, 5m, 2h, 7d or ISO 8601 (P7D)." },
      { key: "until", label: "Until", type: "expression", help: "Instead of a duration: an expression giving an ISO date-time." },
    ],
    hasInput: true,
    inPalette: true,
    create: (id) => ({ id, type: "timer", duration: "1h" }),
  },
  approval: {
    type: "approval",
    title: "Approval",
    description: "Asks people to approve or decline, and waits for their decision.",
    icon: "check",
    fields: [
      ...common,
      { key: "title", label: "Title", type: "value", help: "What the approvers see first." },
      { key: "message", label: "Message", type: "value" },
      { key: "assignees", label: "Assignees", type: "names", help: "People or roles who may decide, separated by commas." },
      { key: "timeout", label: "Timeout", type: "duration", help: "With one, the node gains a timeout handle." },
      { key: "output", label: "Output variable", type: "identifier", help: "The decision: { approved, by, comment, at }." },
    ],
    hasInput: true,
    inPalette: true,
    create: (id) => ({ id, type: "approval", title: "Approve?" }),
  },
  signal: {
    type: "signal",
    title: "Signal",
    description: "Waits for a named message sent to the run.",
    icon: "bell",
    fields: [
      ...common,
      { key: "signal", label: "Signal name", type: "text", required: true },
      { key: "output", label: "Output variable", type: "identifier", help: "The signal's payload." },
      { key: "timeout", label: "Timeout", type: "duration", help: "With one, the node gains a timeout handle." },
    ],
    hasInput: true,
    inPalette: true,
    create: (id) => ({ id, type: "signal", signal: "go" }),
  },
  branch: {
    type: "branch",
    title: "Branch",
    description: "Takes the first handle whose condition holds, else the else handle.",
    icon: "split",
    fields: [...common, { key: "conditions", label: "Conditions", type: "conditions", help: "In order; the first that holds wins." }],
    hasInput: true,
    inPalette: true,
    create: (id) => ({ id, type: "branch", conditions: [{ handle: "yes", when: "=true" }] }),
  },
  end: {
    type: "end",
    title: "End",
    description: "Ends the run, completed with a result or failed with an error.",
    icon: "stop",
    fields: [
      ...common,
      { key: "status", label: "Status", type: "choice", choices: ["completed", "failed"] },
      { key: "result", label: "Result", type: "value" },
      { key: "error", label: "Error", type: "value", help: "When failed: the message." },
    ],
    hasInput: true,
    inPalette: true,
    create: (id) => ({ id, type: "end" }),
  },
};

export const KIND_LIST: readonly NodeKind[] = NODE_TYPES.map((t) => NODE_KINDS[t]);

export function kindOf(type: unknown): NodeKind | undefined {
  return typeof type === "string" && Object.hasOwn(NODE_KINDS, type) ? NODE_KINDS[type as NodeType] : undefined;
}

/** The handles a node leaves from, in the order its kind declares them (the compiler's). */
export function handlesFor(node: WorkflowNode): HandleSpec[] {
  if (!kindOf(node.type)) return [];
  let handles: { allowed: string[]; required: string[] };
  try {
    handles = handlesOf(node);
  } catch {
    return [];
  }
  const seen = new Set<string>();
  return handles.allowed
    .filter((h) => (seen.has(h) ? false : (seen.add(h), true)))
    .map((id) => ({ id, label: id === PLAIN_HANDLE ? "" : id, required: handles.required.includes(id) }));
}

/** A node's name on the drawing: its label, else its id (the contract's rule). */
export function nodeName(node: { id?: unknown; label?: unknown } | undefined, fallback = ""): string {
  const label = typeof node?.label === "string" ? node.label.trim() : "";
  if (label) return label;
  return typeof node?.id === "string" ? node.id : fallback;
}
