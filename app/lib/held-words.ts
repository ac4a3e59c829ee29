// A held run in plain words, for the people who operate runs rather than write their code:
// where it broke (the node's title on the drawing), what the run had done there and what the
// new code does instead, and which deploy frees it. From the non-determinism error's fields
// (engine/views.ts HeldRun), never from its message, which stays for developers behind
// "Technical details". A step's activity is named by its title, as the palette names it ("Archive
// order"), its id where no worker has registered a title, and the id beside the title where two
// activities the words name share one. No React and no I/O.

import type { CommandRef, HeldRun } from "../../engine/views.ts";

export interface HeldWords {
  /** The node where it broke, by its title on the drawing. */
  where: string;
  /** What the run expected there and what the code does instead, in a sentence. */
  what: string;
  /** Short, for the node on the drawing: "ran “Archive order” here; version 2 runs the step “Fulfill order”". */
  short: string;
  /** Which deploy frees it, in a sentence. */
  free: string;
  /** Short, for the node on the drawing. */
  freeShort: string;
  /** For developers: the error's code, the history event and node, and its message. */
  technical: string;
}

/**
 * The words for `held`. `label` names a node by its title on the drawing; `activityTitle`, an
 * activity by the title its worker registered (undefined when none is known); `startedVersion`:
 * the version the run started on, when it is on another now.
 */
export function heldWords(held: HeldRun, options: { label: (nodeId: string) => string; activityTitle?: (name: string) => string | undefined; startedVersion?: number }): HeldWords {
  const { label, startedVersion } = options;
  const where = label(held.nodeId);
  const v = held.version;
  const { expected, actual } = held;
  const step = stepNamer([expected, actual], options.activityTitle);
  // Where the code's command is at another node than the history's: that node is named too.
  const elsewhere = actual && actual.nodeId !== held.nodeId ? ` at “${label(actual.nodeId)}”` : "";
  let what: string;
  let short: string;
  switch (held.code) {
    case "COMMAND_CHANGED":
      what = `When this run reached “${where}”, it ${did(expected!, step)}. The code of version ${v} ${does(actual!, step)}${elsewhere} at that point instead, so it cannot tell how the run goes on from there.`;
      short = `${didShort(expected!, step)} here; version ${v} ${does(actual!, step)}${elsewhere}`;
      break;
    case "COMMAND_NOT_RECORDED":
      what = `The code of version ${v} ${does(actual!, step)} at “${label(actual!.nodeId)}”, which this run never did: what the run did next differs, so it cannot tell how the run goes on from there.`;
      short = `version ${v} ${does(actual!, step)}, which this run never did`;
      break;
    case "COMMAND_NOT_ISSUED":
      what = `This run went on to “${where}”, where it ${did(expected!, step)}. The code of version ${v} ends before it gets there, so it cannot tell how the run goes on from there.`;
      short = `${didShort(expected!, step)} here; version ${v} ends before it`;
      break;
    case "RESOLVED_OTHERWISE":
      what = `At “${where}”, this run’s wait ended in a way the code of version ${v} cannot take, so it cannot tell how the run goes on from there.`;
      short = `its wait here ended in a way version ${v} cannot take`;
      break;
    default:
      // Held before the error's fields were kept: the reason alone is known.
      what = `The code of version ${v} no longer matches what this run did at “${where}”, so it cannot tell how the run goes on from there.`;
      short = `version ${v} no longer matches what the run did here`;
  }
  const keeps = expected ? `${keepsWhat(expected, step)} at “${where}”` : `what the run did at “${where}”`;
  const started = startedVersion !== undefined && startedVersion !== v ? startedVersion : undefined;
  const free =
    `To free it, deploy ${started !== undefined ? `version ${started}’s drawing again (the version it started on), or another version that keeps ${keeps}` : `a version that keeps ${keeps}`}, ` +
    `with its open runs moved on to it (in the designer: Deploy, then “Move the open runs too, and deploy”). The run then goes on from here; nothing is lost while it waits.`;
  const freeShort = `freed by a deploy that keeps ${expected ? keepsWhat(expected, step) : "what it did here"}`;
  const technical = [
    `NonDeterminismError${held.code ? ` ${held.code}` : ""}`,
    `${held.seq !== undefined ? `at history event ${held.seq}, ` : ""}node “${held.nodeId}”, on the code of version ${v}`,
    held.reason,
  ].join(" · ");
  return { where, what, short, free, freeShort, technical };
}

/**
 * For someone who may not restore a version (restoring needs the designer role): who may.
 * `deployer`: who deployed a version of the workflow (the one that holds the run, say), a
 * designer to ask by name.
 */
export function whoRestores(version: number, deployer?: { name: string; version: number }): string {
  const ask = deployer ? `ask a designer, such as ${deployer.name} (who deployed version ${deployer.version}),` : "ask a designer";
  return `Restoring version ${version} as the draft needs the designer role: ${ask} to restore it and deploy it.`;
}

/**
 * How the words name the activities of `commands`: by title where one is known, by id where
 * not, and by title and id where two different activities among them share a title.
 */
function stepNamer(commands: readonly (CommandRef | undefined)[], activityTitle: ((name: string) => string | undefined) | undefined): StepName {
  const titleOf = (name: string | undefined) => (name === undefined ? undefined : activityTitle?.(name)?.trim() || undefined);
  const names = new Set(commands.flatMap((c) => (c?.type === "ActivityScheduled" && c.activity !== undefined ? [c.activity] : [])));
  const byTitle = new Map<string, number>();
  for (const name of names) {
    const title = titleOf(name);
    if (title) byTitle.set(title, (byTitle.get(title) ?? 0) + 1);
  }
  return (name) => {
    const title = titleOf(name);
    if (!title || title === name) return `“${name ?? "?"}”`;
    return (byTitle.get(title) ?? 0) > 1 ? `“${title}” (${name})` : `“${title}”`;
  };
}

/** Names a step by its activity. */
type StepName = (name: string | undefined) => string;

/** What the run did at a command: "ran the step “Archive order”". */
function did(c: CommandRef, step: StepName): string {
  switch (c.type) {
    case "ActivityScheduled":
      return `ran the step ${step(c.activity)}`;
    case "TimerStarted":
      return "waited on a timer";
    case "ApprovalRequested":
      return "waited for an approval";
    case "SignalWaitStarted":
      return `waited for the signal “${c.signal}”`;
  }
}

function didShort(c: CommandRef, step: StepName): string {
  switch (c.type) {
    case "ActivityScheduled":
      return `ran ${step(c.activity)}`;
    default:
      return did(c, step);
  }
}

/** What the code does at a command: "runs the step “Fulfill order”". */
function does(c: CommandRef, step: StepName): string {
  switch (c.type) {
    case "ActivityScheduled":
      return `runs the step ${step(c.activity)}`;
    case "TimerStarted":
      return "waits on a timer";
    case "ApprovalRequested":
      return "asks for an approval";
    case "SignalWaitStarted":
      return `waits for the signal “${c.signal}”`;
  }
}

/** What a version must keep to free the run: "the step “Archive order”". */
function keepsWhat(c: CommandRef, step: StepName): string {
  switch (c.type) {
    case "ActivityScheduled":
      return `the step ${step(c.activity)}`;
    case "TimerStarted":
      return "the timer";
    case "ApprovalRequested":
      return "the approval";
    case "SignalWaitStarted":
      return `the wait for the signal “${c.signal}”`;
  }
}
