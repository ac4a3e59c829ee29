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
function okArms(arms: PrintedArm[], failHandle: string, okCondition: string, onOk: string | undefined): PrintedArm[] {
  const sorted = [...arms].sort((a, b) => Number(a.handles.includes(failHandle)) - Number(b.handles.includes(failHandle)));
  if (sorted.length === 1) {
    // Both ways lead to the same node: only the output needs the test.
    return [withPrelude({ ...sorted[0], condition: undefined }, onOk ? `if (${okCondition}) ${onOk}` : undefined)];
  }
  return sorted.map((arm, i) =>
    i === 0 ? withPrelude({ ...arm, condition: okCondition }, onOk) : { ...arm, condition: undefined },
  );
}

function withPrelude(arm: PrintedArm, line: string | undefined): PrintedArm {
  if (line === undefined) return arm;
  return { ...arm, prelude: [...arm.prelude, line], empty: false };
}

/** Arms of a step with an error edge: its outcome is `{ ok, result }` in both targets. */
export function stepArms(arms: PrintedArm[], outcome: string, output: string | undefined): PrintedArm[] {
  return okArms(arms, "error", `${outcome}.ok`, output ? `${output} = ${outcome}.result;` : undefined);
}

/** Arms of a signal wait with a timeout: its outcome is `{ received, payload }` in both targets. */
export function signalArms(arms: PrintedArm[], outcome: string, output: string | undefined): PrintedArm[] {
  return okArms(arms, "timeout", `${outcome}.received`, output ? `${output} = ${outcome}.payload;` : undefined);
}
