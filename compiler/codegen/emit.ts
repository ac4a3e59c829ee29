// Walks the structure of a workflow (structure.ts) and prints it through a target dialect: the
// walk (sequences, loops, resume guards, the state-machine fallback) is the same for every
// target; what a node turns into is the dialect's business.

import type { BranchNode, WorkflowNode } from "../document.ts";
import { edgeKey, type Arm, type Stmt, type Structure } from "../structure.ts";
import type { CheckedDocument } from "../validate.ts";
import type { NameAllocator } from "./names.ts";
import type { CodeWriter } from "./writer.ts";

/** An arm of a fork as a dialect prints it: a condition (undefined = else) and its code. */
export interface PrintedArm {
  condition: string | undefined;
  /** Lines that run first in the arm (e.g. storing the node's output). */
  prelude: string[];
  handles: string[];
  print: () => void;
  empty: boolean;
}

export interface Dialect {
  /** The expression for the loop head a continued run resumes at (undefined for a fresh run). */
  readonly continuedAt: string;
  /** A node with one way on. */
  node(node: WorkflowNode): void;
  /** A node with several ways on: print the node, then `ifChain` its arms. */
  fork(node: WorkflowNode, arms: PrintedArm[]): void;
  end(node: WorkflowNode): void;
  /** Before going round a loop again: where the run may continue as new. */
  backEdge(header: string, resumable: boolean): void;
}

export interface EmitContext {
  checked: CheckedDocument;
  w: CodeWriter;
  names: NameAllocator;
  dialect: Dialect;
}

export function emitStructure(structure: Structure, cx: EmitContext): void {
  if (structure.kind === "structured") emitStatements(structure.body, cx, false);
  else emitMachine(structure, cx);
}

/** `loopBody`: these are a loop's own statements, whose trailing `continue` can go. */
function emitStatements(stmts: Stmt[], cx: EmitContext, loopBody: boolean): void {
  stmts.forEach((stmt, i) => {
    const last = i === stmts.length - 1;
    switch (stmt.kind) {
      case "node":
        cx.dialect.node(node(cx, stmt.id));
        break;
      case "end":
        cx.dialect.end(node(cx, stmt.id));
        break;
      case "fork":
        cx.dialect.fork(node(cx, stmt.id), stmt.arms.map((arm) => printedArm(arm, cx)));
        break;
      case "loop":
        cx.w.line(`// loop back to ${stmt.header}`);
        cx.w.block("while (true)", () => emitStatements(stmt.body, cx, true));
        break;
      case "continue":
        cx.dialect.backEdge(stmt.header, stmt.resumable);
        // At the bottom of a loop body the loop goes round anyway.
        if (!(last && loopBody)) cx.w.line("continue;");
        break;
      case "break":
        cx.w.line("break;");
        break;
      case "guard": {
        const condition =
          stmt.unless.length === 1
            ? `${cx.dialect.continuedAt} !== ${JSON.stringify(stmt.unless[0])}`
            : stmt.unless.map((h) => `${cx.dialect.continuedAt} !== ${JSON.stringify(h)}`).join(" && ");
        cx.w.line("// skipped by a run that continued as new at a later loop");
        cx.w.block(`if (${condition})`, () => emitStatements(stmt.body, cx, false));
        break;
      }
      default:
        assertNever(stmt);
    }
  });
}

function printedArm(arm: Arm, cx: EmitContext): PrintedArm {
  return {
    condition: undefined,
    prelude: [],
    handles: arm.handles,
    print: () => emitStatements(arm.body, cx, false),
    empty: arm.body.length === 0,
  };
}

function node(cx: EmitContext, id: string): WorkflowNode {
  return cx.checked.graph.nodes.get(id)!;
}

/**
 * The state-machine fallback for drawings that are not structured: one `case` per node, a
 * `next` variable saying where to go.
 */
function emitMachine(structure: Extract<Structure, { kind: "machine" }>, cx: EmitContext): void {
  const { graph } = cx.checked;
  const next = cx.names.take("next");
  const first = graph.out.get(structure.entry)?.[0]?.target ?? structure.entry;
  cx.w.line("// This drawing's paths cross in ways that nested if/while cannot express, so the");
  cx.w.line(`// workflow is a state machine: \`${next}\` is the node to run next.`);
  cx.w.line(`let ${next}: string = ${cx.dialect.continuedAt} ?? ${JSON.stringify(first)};`);
  const jump = (from: string, to: string) => () => {
    cx.dialect.backEdge(to, structure.backEdges.has(edgeKey(from, to)));
    cx.w.line(`${next} = ${JSON.stringify(to)};`);
  };
  cx.w.block("for (;;)", () => {
    cx.w.block(`switch (${next})`, () => {
      for (const id of structure.states) {
        const n = graph.nodes.get(id)!;
        if (n.type === "start") continue;
        cx.w.line(`case ${JSON.stringify(id)}: {`);
        cx.w.indent(() => {
          const out = graph.out.get(id) ?? [];
          if (n.type === "end") {
            cx.dialect.end(n);
            return;
          }
          const targets = [...new Set(out.map((o) => o.target))];
          if (n.type === "branch" || n.type === "approval" || out.length > 1) {
            cx.dialect.fork(
              n,
              targets.map((t) => ({
                condition: undefined,
                prelude: [],
                handles: out.filter((o) => o.target === t).map((o) => o.handle),
                print: jump(id, t),
                empty: false,
              })),
            );
          } else {
            cx.dialect.node(n);
            jump(id, targets[0])();
          }
          cx.w.line("break;");
        });
        cx.w.line("}");
      }
      cx.w.line("default:");
      cx.w.indent(() => cx.w.line(`throw new Error(\`workflow has no node "\${${next}}"\`);`));
    });
  });
}

/**
 * Prints arms as `if (…) { … } else if (…) { … } else { … }`, leaving out arms with nothing to
 * do at the end of the chain.
 */
export function ifChain(w: CodeWriter, arms: PrintedArm[]): void {
  const list = [...arms];
  while (list.length > 0 && list[list.length - 1].empty) list.pop();
  if (list.length === 0) return;
  if (list.length === 1 && list[0].condition === undefined) {
    for (const line of list[0].prelude) w.line(line);
    list[0].print();
    return;
  }
  list.forEach((arm, i) => {
    const head = i === 0 ? `if (${arm.condition})` : arm.condition === undefined ? "} else" : `} else if (${arm.condition})`;
    w.line(`${head} {`);
    w.indent(() => {
      for (const line of arm.prelude) w.line(line);
      if (arm.empty) w.line("// nothing to do here: go on below");
      else arm.print();
    });
  });
  w.line("}");
}

/**
 * The arms of a branch, in the order of its conditions ("the first that holds wins"), with the
 * else arm last. When arms are laid out so that plain if/else would change which condition wins,
 * the route is computed first and the arms test it.
 */
export function branchArms(
  node: BranchNode,
  arms: PrintedArm[],
  conditionCode: (when: string) => string,
  routeName: () => string,
  w: CodeWriter,
): PrintedArm[] {
  const order = [...node.conditions.map((c) => c.handle), "else"];
  const armOf = (handle: string) => arms.findIndex((a) => a.handles.includes(handle));
  const runs: { arm: number; handles: string[] }[] = [];
  for (const h of order) {
    const a = armOf(h);
    if (runs.length > 0 && runs[runs.length - 1].arm === a) runs[runs.length - 1].handles.push(h);
    else runs.push({ arm: a, handles: [h] });
  }
  const clean = new Set(runs.map((r) => r.arm)).size === runs.length;
  const when = new Map(node.conditions.map((c) => [c.handle, c.when]));
  if (clean) {
    return runs.map((run) => {
      const arm = arms[run.arm];
      const conditions = run.handles.filter((h) => h !== "else").map((h) => conditionCode(when.get(h)!));
      const condition = run.handles.includes("else") ? undefined : conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(" || ");
      return { ...arm, condition };
    });
  }
  const route = routeName();
  const choice = node.conditions.map((c) => `${wrap(conditionCode(c.when))} ? ${JSON.stringify(c.handle)} : `).join("") + '"else"';
  w.line(`const ${route} = ${choice};`);
  const ordered = [...arms].sort((a, b) => Number(a.handles.includes("else")) - Number(b.handles.includes("else")));
  return ordered.map((arm) => ({
    ...arm,
    condition: arm.handles.includes("else") ? undefined : arm.handles.map((h) => `${route} === ${JSON.stringify(h)}`).join(" || "),
  }));
}

function wrap(code: string): string {
  return /^[\w.$]+$/.test(code) ? code : `(${code})`;
}

/** A comment line naming a node: its id, and its label with whitespace folded. */
export function nodeComment(node: WorkflowNode): string {
  const label = node.label?.replace(/\s+/g, " ").trim();
  return `// ${node.id}${label ? `: ${label}` : ""}`;
}

export function assertNever(value: never): never {
  throw new Error(`internal: unexpected ${JSON.stringify(value)}`);
}
