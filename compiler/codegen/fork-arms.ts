// The arms of forks both targets print the same way: an approval's outcomes, and nodes that
// either succeed or not (a step with an error edge, a wait with a timeout).

import type { ApprovalNode } from "../document.ts";
import type { PrintedArm } from "./emit.ts";

/** Arms of an approval: each tests the outcome, the last is the else; decided arms store the decision. */
export function approvalArms(n: ApprovalNode, arms: PrintedArm[], outcome: string): PrintedArm[] {
  return arms.map((arm, i) =>
    withPrelude(
      {
        ...arm,
        condition: i === arms.length - 1 ? undefined : arm.handles.map((h) => `${outcome}.outcome === ${JSON.stringify(h)}`).join(" || "),
      },
      n.output === undefined || arm.handles.every((h) => h === "timeout")
        ? undefined
        : arm.handles.includes("timeout")
          ? `if (${outcome}.outcome !== "timeout") ${n.output} = ${outcome}.decision;`
          : `${n.output} = ${outcome}.decision;`,
    ),
  );
}

/** Arms of a node that either succeeds (plain handle) or not (`failHandle`). */
export function okArms(arms: PrintedArm[], failHandle: string, okCondition: string, onOk: string | undefined): PrintedArm[] {
  const sorted = [...arms].sort((a, b) => Number(a.handles.includes(failHandle)) - Number(b.handles.includes(failHandle)));
  if (sorted.length === 1) {
    // Both ways lead to the same node: only the output needs the test.
    return [withPrelude({ ...sorted[0], condition: undefined }, onOk ? `if (${okCondition}) ${onOk}` : undefined)];
  }
  return sorted.map((arm, i) =>
    i === 0 ? withPrelude({ ...arm, condition: okCondition }, onOk) : { ...arm, condition: undefined },
  );
}

export function withPrelude(arm: PrintedArm, line: string | undefined): PrintedArm {
  if (line === undefined) return arm;
  return { ...arm, prelude: [...arm.prelude, line], empty: false };
}
