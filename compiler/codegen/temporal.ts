// The `temporal` target: a workflow module that runs unchanged on a Temporal cluster. It imports
// only @temporalio/workflow; the little support it needs (approvals, signal inboxes, the date
// helpers) is written into the module itself.

import type { StepNode, Value, WorkflowNode } from "../document.ts";
import { canonicalDuration } from "../durations.ts";
import { DATE_HELPER_SOURCE, type DateHelperName } from "../date-helpers.ts";
import type { Structure } from "../structure.ts";
import type { CheckedDocument } from "../validate.ts";
import { assertNever, branchArms, emitStructure, ifChain, nodeComment, type Dialect } from "./emit.ts";
import { readsWorkflow, usedHelpers, variableNames, type ModuleInfo } from "./module-info.ts";
import { camelCase, NameAllocator, propertyKey } from "./names.ts";
import { call, printValue, type Arg } from "./values.ts";
import { approvalArms, signalArms, stepArms } from "./fork-arms.ts";
import { approvalRequest, objectArg, retryLiteral, varsObject } from "./literals.ts";
import { CodeWriter } from "./writer.ts";

const DEFAULT_TIMEOUT = "5m";

export function generateTemporalModule(checked: CheckedDocument, structure: Structure, info: ModuleInfo): string {
  const w = new CodeWriter();
  const vars = variableNames(checked);
  // The module's own names give way to the drawing's variables and the workflow function: an
  // output called "at" or "approval" keeps its name, and the module's own becomes "at2".
  const names = new NameAllocator([...vars, info.functionName, "wf", "input", "workflow", "ctx", "Resume", "ApprovalSignal", "Activity"]);
  const own = {
    resume: names.take("resume"),
    at: names.take("at"),
    activities: names.take("activities"),
    stateQuery: names.take("stateQuery"),
    variables: names.take("variables"),
    approveSignal: names.take("approveSignal"),
    declineSignal: names.take("declineSignal"),
    decisions: names.take("decisions"),
    decide: names.take("decide"),
    approval: names.take("approval"),
    inbox: names.take("inbox"),
    waitForSignal: names.take("waitForSignal"),
    tryActivity: names.take("tryActivity"),
    sleepUntil: names.take("sleepUntil"),
  };
  const expr = (source: string) => checked.expressions.get(source)!;
  const value = (v: Value | undefined): Arg => (width) => printValue(v, checked.expressions, width);
  const flat = (v: Value | undefined) => printValue(v, checked.expressions, Number.MAX_SAFE_INTEGER);
  const statement = (prefix: string, callee: string, args: Arg[]) => w.line(`${prefix}${call(callee, args, w.width - prefix.length - 1)};`);
  const input = (n: StepNode): Arg[] => (n.input === undefined ? [] : [value(n.input)]);
  const nodes = [...checked.graph.nodes.values()];
  const steps = checked.graph.ids.map((id) => checked.graph.nodes.get(id)!).filter((n): n is StepNode => n.type === "step");
  const hasApprovals = nodes.some((n) => n.type === "approval");
  // Approvals that need several approvers, or refuse the run's starter: their rules, by node.
  const rules = checked.graph.ids
    .map((id) => checked.graph.nodes.get(id)!)
    .flatMap((n) => (n.type === "approval" && ((n.quorum ?? 1) > 1 || n.notStarter === true) ? [{ id: n.id, quorum: n.quorum ?? 1, notStarter: n.notStarter === true }] : []));
  const ruleNames = rules.length === 0 ? undefined : { rules: names.take("approvalRules"), votes: names.take("votes"), startedBy: names.take("startedBy") };
  const signalNames = [...new Set(nodes.flatMap((n) => (n.type === "signal" ? [n.signal] : [])))].sort();
  const signalConsts = new Map(signalNames.map((s) => [s, names.take(`${camelCase(s)}Signal`)]));
  const hasTryStep = steps.some((n) => (checked.graph.out.get(n.id) ?? []).some((o) => o.handle === "error"));
  const hasUntil = nodes.some((n) => n.type === "timer" && n.until !== undefined);
  const activity = (n: StepNode) => `${own.activities}${/^[A-Za-z_$][\w$]*$/.test(n.id) ? `.${n.id}` : `[${JSON.stringify(n.id)}]`}`;
  const enter = (n: WorkflowNode) => {
    w.line(nodeComment(n));
    w.line(`${own.at} = ${JSON.stringify(n.id)};`);
  };

  const dialect: Dialect = {
    continuedAt: `${own.resume}?.at`,
    node(n) {
      enter(n);
      switch (n.type) {
        case "step":
          statement(`${assign(n.output)}await `, activity(n), input(n));
          break;
        case "timer":
          if (n.duration !== undefined) w.line(`await wf.sleep(${JSON.stringify(canonicalDuration(n.duration))});`);
          else statement("await ", own.sleepUntil, [value(n.until)]);
          break;
        case "signal":
          w.line(`${assign(n.output)}await ${own.waitForSignal}(${JSON.stringify(n.signal)});`);
          break;
        case "start":
        case "approval":
        case "branch":
        case "end":
          throw new Error(`internal: ${n.type} ${n.id} is not a sequential node`);
        default:
          assertNever(n);
      }
    },
    fork(n, arms) {
      enter(n);
      switch (n.type) {
        case "branch":
          ifChain(w, branchArms(n, arms, (when) => expr(when.slice(1)), () => names.take(`${camelCase(n.id)}Route`), w));
          break;
        case "approval": {
          const o = names.take(`${camelCase(n.id)}Outcome`);
          statement(`const ${o} = `, `await ${own.approval}`, [JSON.stringify(n.id), approvalRequest(n, value)]);
          ifChain(w, approvalArms(n, arms, o));
          break;
        }
        case "step": {
          const o = names.take(`${camelCase(n.id)}Outcome`);
          const prefix = `const ${o} = await ${own.tryActivity}(() => `;
          w.line(`${prefix}${call(activity(n), input(n), w.width - prefix.length - 2)});`);
          ifChain(w, stepArms(arms, o, n.output));
          break;
        }
        case "signal": {
          const o = names.take(`${camelCase(n.id)}Outcome`);
          w.line(`const ${o} = await ${own.waitForSignal}(${JSON.stringify(n.signal)}, ${JSON.stringify(canonicalDuration(n.timeout!))});`);
          ifChain(w, signalArms(arms, o, n.output));
          break;
        }
        case "start":
        case "timer":
        case "end":
          throw new Error(`internal: ${n.type} ${n.id} does not fork`);
        default:
          assertNever(n);
      }
    },
    end(n) {
      if (n.type !== "end") throw new Error(`internal: ${n.id} is not an end`);
      enter(n);
      if (n.status === "failed") {
        const message =
          n.error === undefined ? JSON.stringify(`failed at ${n.id}`) : typeof n.error === "string" && !n.error.startsWith("=") ? JSON.stringify(n.error) : `String(${flat(n.error)})`;
        statement("throw ", "wf.ApplicationFailure.nonRetryable", [message, '"WorkflowFailed"', `{ nodeId: ${JSON.stringify(n.id)} }`]);
      } else w.line(`return ${n.result === undefined ? "null" : printValue(n.result, checked.expressions, w.width - 8)};`);
    },
    backEdge(header, resumable) {
      if (!resumable) return;
      w.block("if (wf.workflowInfo().continueAsNewSuggested)", () =>
        w.line(`await wf.continueAsNew<typeof ${info.functionName}>(input, { at: ${JSON.stringify(header)}, vars: ${own.variables}() });`),
      );
    },
  };

  w.line(`// ${info.name}${info.title ? `: ${info.title}` : ""}`);
  w.line("// Temporal workflow generated by Weft from the workflow document. Do not edit: change the");
  w.line("// drawing and compile again. Each block below is tagged with the id of the node it comes from.");
  w.line();
  w.line(`import * as wf from "@temporalio/workflow";`);
  w.line();
  w.line(`export const hash = ${JSON.stringify(info.hash)};`);
  w.line();
  if (steps.length > 0) {
    w.line("type Activity = (input?: any) => Promise<any>;");
    w.line();
    w.line("// Activities by plugin name, one proxy per step with that step's retry policy and timeout.");
    w.block(`const ${own.activities} =`, () => {
      for (const n of steps) {
        const options: Record<string, Arg> = { startToCloseTimeout: JSON.stringify(canonicalDuration(n.timeout ?? DEFAULT_TIMEOUT)) };
        if (n.retry && Object.keys(n.retry).length > 0) options.retry = retryLiteral(n.retry, "nonRetryableErrorTypes");
        w.line(nodeComment(n));
        const proxy = call(`${propertyKey(n.id)}: wf.proxyActivities<Record<string, Activity>>`, [objectArg(options)], w.width - n.activity.length - 5);
        w.line(`${proxy}[${JSON.stringify(n.activity)}],`);
      }
    }, "};");
    w.line();
  }
  w.line("/** The `state` query: the node the run is at and its variables so far. */");
  w.line(`export const ${own.stateQuery} = wf.defineQuery<{ node: string; vars: Record<string, unknown> }>("state");`);
  if (hasApprovals) {
    w.line("/** Approvals: the payload names the approval node, who decided and why. */");
    w.line("export interface ApprovalSignal { nodeId: string; by: string; comment?: string }");
    w.line(`export const ${own.approveSignal} = wf.defineSignal<[ApprovalSignal]>("approve");`);
    w.line(`export const ${own.declineSignal} = wf.defineSignal<[ApprovalSignal]>("decline");`);
  }
  for (const s of signalNames) w.line(`export const ${signalConsts.get(s)} = wf.defineSignal<[unknown]>(${JSON.stringify(s)});`);
  w.line();
  w.line("/** Where a run that continued as new picks up: a loop head and the variables so far. */");
  w.line("export interface Resume { at: string; vars: Record<string, any> }");
  w.line();
  w.block(`export async function ${info.functionName}(input: any, ${own.resume}?: Resume): Promise<unknown>`, () => {
    if (readsWorkflow(checked)) {
      w.block("const workflow =", () => {
        w.line("id: wf.workflowInfo().workflowId,");
        w.line("runId: wf.workflowInfo().runId,");
        w.line("startedAt: wf.workflowInfo().startTime.toISOString(),");
        w.line("// Date is deterministic inside a Temporal workflow.");
        w.line("get now() {");
        w.indent(() => w.line("return new Date().toISOString();"));
        w.line("},");
      }, "};");
    }
    for (const v of vars) w.line(info.resumable ? `let ${v}: any = ${own.resume}?.vars.${v};` : `let ${v}: any;`);
    w.line(`let ${own.at} = ${own.resume}?.at ?? "start";`);
    w.line(`const ${own.variables} = () => (${varsObject(vars)});`);
    w.line(`wf.setHandler(${own.stateQuery}, () => ({ node: ${own.at}, vars: ${own.variables}() }));`);
    if (hasApprovals) writeApprovalSupport(w, own, rules, ruleNames);
    if (signalNames.length > 0) writeSignalSupport(w, signalNames, signalConsts, own);
    w.line();
    emitStructure(structure, { checked, w, names, dialect });
  });
  const support: string[] = [];
  if (hasTryStep) support.push(TRY_ACTIVITY.replace("async function tryActivity<", `async function ${own.tryActivity}<`));
  if (hasUntil) support.push(SLEEP_UNTIL.replace("async function sleepUntil(", `async function ${own.sleepUntil}(`));
  for (const h of usedHelpers(checked)) support.push(DATE_HELPER_SOURCE[h as DateHelperName]);
  for (const s of support) {
    w.line();
    w.line(s);
  }
  return w.toString();

  function assign(output: string | undefined): string {
    return output ? `${output} = ` : "";
  }
}

/** The names the module declares for itself, after giving way to the drawing's (see above). */
type OwnNames = Record<"decisions" | "decide" | "approveSignal" | "declineSignal" | "approval" | "inbox" | "waitForSignal", string>;

interface ApprovalRule {
  id: string;
  quorum: number;
  notStarter: boolean;
}

function writeApprovalSupport(
  w: CodeWriter,
  own: OwnNames,
  rules: ApprovalRule[],
  ruleNames: { rules: string; votes: string; startedBy: string } | undefined,
): void {
  const { decisions, decide } = own;
  w.line("// Decisions arrive as signals and wait here until their approval node asks for them.");
  if (!ruleNames) {
    w.line(`const ${decisions} = new Map<string, { approved: boolean; by: string; comment?: string; at: string }>();`);
    w.line(`const ${decide} = (approved: boolean) => ({ nodeId, by, comment }: ApprovalSignal) => {`);
    w.indent(() => w.line(`if (!${decisions}.has(nodeId)) ${decisions}.set(nodeId, { approved, by, comment, at: new Date().toISOString() });`));
    w.line("};");
  } else {
    const vote = "{ by: string; comment?: string; at: string }";
    w.line(`const ${decisions} = new Map<string, { approved: boolean; by: string; comment?: string; at: string; approvals?: ${vote}[] }>();`);
    w.line("// Approvals that need several distinct approvers (quorum), or refuse the person who started the run.");
    w.block(`const ${ruleNames.rules}: Record<string, { quorum: number; notStarter: boolean }> =`, () => {
      for (const r of rules) w.line(`${propertyKey(r.id)}: { quorum: ${r.quorum}, notStarter: ${r.notStarter} },`);
    }, "};");
    w.line(`// The approvals each node has had so far; one decline declines.`);
    w.line(`const ${ruleNames.votes} = new Map<string, ${vote}[]>();`);
    w.line(`// Who started the run: the starter names themselves in the memo "startedBy" (Weft's engine records it).`);
    w.line(`const ${ruleNames.startedBy} = wf.workflowInfo().memo?.startedBy;`);
    w.line(`const ${decide} = (approved: boolean) => ({ nodeId, by, comment }: ApprovalSignal) => {`);
    w.indent(() => {
      w.line(`const rule = ${ruleNames.rules}[nodeId] ?? { quorum: 1, notStarter: false };`);
      w.line(`if (${decisions}.has(nodeId) || (rule.notStarter && by === ${ruleNames.startedBy})) return;`);
      w.line("const now = new Date().toISOString();");
      w.line(`const approvals = ${ruleNames.votes}.get(nodeId) ?? [];`);
      w.line("if (approved && approvals.some((a) => a.by === by)) return;");
      w.line("if (approved) approvals.push({ by, comment, at: now });");
      w.line(`${ruleNames.votes}.set(nodeId, approvals);`);
      w.line("if (approved && approvals.length < rule.quorum) return;");
      w.line(`${ruleNames.votes}.delete(nodeId);`);
      w.line(`${decisions}.set(nodeId, { approved, by, comment, at: now, approvals });`);
    });
    w.line("};");
  }
  w.line(`wf.setHandler(${own.approveSignal}, ${decide}(true));`);
  w.line(`wf.setHandler(${own.declineSignal}, ${decide}(false));`);
  const requestType = ruleNames
    ? "{ title?: unknown; message?: unknown; assignees?: string[]; timeout?: string; quorum?: number; notStarter?: boolean }"
    : "{ title?: unknown; message?: unknown; assignees?: string[]; timeout?: string }";
  w.block(
    `const ${own.approval} = async (nodeId: string, request: ${requestType}) =>`,
    () => {
      w.line(`const decided = await wf.condition(() => ${decisions}.has(nodeId), request.timeout as any);`);
      w.line(`if (decided === false) return { outcome: "timeout" as const };`);
      w.line(`const decision = ${decisions}.get(nodeId)!;`);
      w.line(`${decisions}.delete(nodeId);`);
      w.line(`return { outcome: decision.approved ? ("approved" as const) : ("declined" as const), decision };`);
    },
    "};",
  );
}

function writeSignalSupport(w: CodeWriter, signalNames: string[], consts: Map<string, string>, own: OwnNames): void {
  const { inbox, waitForSignal } = own;
  w.line("// Signals are queued in order of arrival until a signal node takes them.");
  w.line(`const ${inbox} = new Map<string, unknown[]>();`);
  for (const s of signalNames) {
    w.line(`wf.setHandler(${consts.get(s)}, (payload) => void ${inbox}.set(${JSON.stringify(s)}, [...(${inbox}.get(${JSON.stringify(s)}) ?? []), payload]));`);
  }
  w.line(`async function ${waitForSignal}(name: string): Promise<any>;`);
  w.line(`async function ${waitForSignal}(name: string, timeout: string): Promise<{ received: true; payload: any } | { received: false }>;`);
  w.block(`async function ${waitForSignal}(name: string, timeout?: string): Promise<any>`, () => {
    w.line(`const arrived = await wf.condition(() => (${inbox}.get(name)?.length ?? 0) > 0, timeout as any);`);
    w.line("if (arrived === false) return { received: false };");
    w.line(`const payload = ${inbox}.get(name)!.shift();`);
    w.line("return timeout === undefined ? payload : { received: true, payload };");
  });
}

const TRY_ACTIVITY = `/** Runs an activity; a failure for good is returned rather than thrown (for steps with an error edge). */
async function tryActivity<T>(run: () => Promise<T>): Promise<{ ok: true; result: T } | { ok: false; error: wf.ActivityFailure }> {
  try {
    return { ok: true, result: await run() };
  } catch (err) {
    if (err instanceof wf.ActivityFailure) return { ok: false, error: err };
    throw err;
  }
}`;

const SLEEP_UNTIL = `/** A durable timer until an ISO date-time or epoch milliseconds. */
async function sleepUntil(at: string | number): Promise<void> {
  const due = typeof at === "number" ? at : Date.parse(at);
  if (Number.isNaN(due)) throw wf.ApplicationFailure.nonRetryable(\`"\${at}" is not a date-time\`, "InvalidTimer");
  if (due > Date.now()) await wf.sleep(due - Date.now());
}`;
