// The workflow document: the contract in DESIGN.md, as types. Everything the compiler,
// the engine and the designer know about a drawing starts here.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON value; strings that begin with "=" are expressions, objects and arrays are walked. */
export type Value = JsonValue;

export interface Position {
  x: number;
  y: number;
}

interface NodeBase {
  id: string;
  label?: string;
  position?: Position;
}

export interface RetryPolicy {
  initialInterval?: string;
  backoffCoefficient?: number;
  maximumInterval?: string;
  /** 0 = unlimited */
  maximumAttempts?: number;
  nonRetryableErrors?: string[];
}

export interface StartNode extends NodeBase {
  type: "start";
}

export interface StepNode extends NodeBase {
  type: "step";
  activity: string;
  input?: Value;
  output?: string;
  retry?: RetryPolicy;
  timeout?: string;
}

export interface TimerNode extends NodeBase {
  type: "timer";
  duration?: string;
  until?: string;
}

export interface ApprovalNode extends NodeBase {
  type: "approval";
  title?: Value;
  message?: Value;
  assignees?: string[];
  timeout?: string;
  output?: string;
  /** How many distinct people must approve (default 1); one decline declines. */
  quorum?: number;
  /** When true, the person who started the run may not decide it. */
  notStarter?: boolean;
}

export interface SignalNode extends NodeBase {
  type: "signal";
  signal: string;
  output?: string;
  timeout?: string;
}

export interface BranchCondition {
  handle: string;
  when: string;
}

export interface BranchNode extends NodeBase {
  type: "branch";
  conditions: BranchCondition[];
}

export interface EndNode extends NodeBase {
  type: "end";
  result?: Value;
  status?: "completed" | "failed";
  error?: Value;
}

export type WorkflowNode = StartNode | StepNode | TimerNode | ApprovalNode | SignalNode | BranchNode | EndNode;
export type NodeType = WorkflowNode["type"];

export interface Edge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string;
}

export interface WorkflowDocument {
  name: string;
  title?: string;
  inputSchema?: JsonValue;
  nodes: WorkflowNode[];
  edges: Edge[];
}

/** The handle an edge without `sourceHandle` leaves from. */
export const PLAIN_HANDLE = "";

export const NODE_TYPES: readonly NodeType[] = ["start", "step", "timer", "approval", "signal", "branch", "end"];

/** The handles a node may leave from, and which of them must have an edge. */
export function handlesOf(node: WorkflowNode): { allowed: string[]; required: string[] } {
  switch (node.type) {
    case "start":
      return { allowed: [PLAIN_HANDLE], required: [PLAIN_HANDLE] };
    case "step":
      return { allowed: [PLAIN_HANDLE, "error"], required: [PLAIN_HANDLE] };
    case "timer":
      return { allowed: [PLAIN_HANDLE], required: [PLAIN_HANDLE] };
    case "approval": {
      const handles = ["approved", "declined"];
      if (node.timeout !== undefined) handles.push("timeout");
      return { allowed: handles, required: handles };
    }
    case "signal": {
      const handles = [PLAIN_HANDLE];
      if (node.timeout !== undefined) handles.push("timeout");
      return { allowed: handles, required: handles };
    }
    case "branch": {
      const handles = Array.isArray(node.conditions) ? node.conditions.map((c) => c?.handle).filter((h): h is string => typeof h === "string") : [];
      return { allowed: [...handles, "else"], required: [...handles, "else"] };
    }
    case "end":
      return { allowed: [], required: [] };
  }
}

/** The variable a node defines, and the handles along which it is defined. */
export function outputOf(node: WorkflowNode): string | undefined {
  switch (node.type) {
    case "step":
    case "approval":
    case "signal":
      return node.output;
    case "start":
    case "timer":
    case "branch":
    case "end":
      return undefined;
  }
}

/** Handles along which a node's output is not defined (the step failed, the wait timed out). */
export function handleSkipsOutput(node: WorkflowNode, handle: string): boolean {
  switch (node.type) {
    case "step":
      return handle === "error";
    case "approval":
    case "signal":
      return handle === "timeout";
    case "start":
    case "timer":
    case "branch":
    case "end":
      return false;
  }
}
