// A pure driver for the runtime core, for tests: it plays the part of the worker and the
// database, answering each command the workflow code issues with a scripted resolution, on a
// simulated clock. No database, no processes: the replay semantics on their own.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../../compiler/compile.ts";
import { transpileModule } from "../../engine/deploy.ts";
import type { CommandEvent, HistoryEvent, RecordedEvent } from "../../engine/runtime/events.ts";
import { WorkflowExecution, type WorkflowFunction } from "../../engine/runtime/execution.ts";
import { loadWorkflowModule } from "../../engine/sandbox.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const T0 = Date.UTC(2026, 0, 31, 9, 0, 0);
export const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Compiles a document (a file under examples/, or an object) and loads it as the engine does. */
export function workflowOf(doc: string | object): { fn: WorkflowFunction; hash: string; name: string } {
  const document = typeof doc === "string" ? JSON.parse(readFileSync(path.join(root, "examples", `${doc}.json`), "utf8")) : doc;
  const compiled = compile(document);
  if (!compiled.ok) throw new Error(compiled.diagnostics.map((d) => `${d.id}: ${d.message}`).join("\n"));
  const module = loadWorkflowModule(transpileModule(compiled.code, `${compiled.name}.ts`), `${compiled.name}.js`);
  return { fn: module.run, hash: module.hash, name: compiled.name };
}

export function startEvent(name: string, hash: string, input: unknown, extra: Partial<Extract<HistoryEvent, { type: "WorkflowStarted" }>> = {}): RecordedEvent {
  return { type: "WorkflowStarted", workflowId: `${name}-1`, runId: "run-1", name, version: 1, hash, input, firstStartedAt: T0, seq: 1, at: T0, ...extra } as RecordedEvent;
}

/** How the simulated world answers a command: the resolution, and how long it takes (ms). */
export type Answer = (command: CommandEvent, at: number) => { event: HistoryEvent; after?: number } | undefined;

/**
 * Runs a workflow to its end (or until `answer` gives up, or `maxEvents`), as a worker would,
 * and returns the whole history it recorded.
 */
export async function simulate(fn: WorkflowFunction, start: RecordedEvent, answer: Answer, options: { historyLimit?: number; maxEvents?: number } = {}): Promise<RecordedEvent[]> {
  const history: RecordedEvent[] = [start];
  const exec = new WorkflowExecution(fn, start as Extract<RecordedEvent, { type: "WorkflowStarted" }>, { drain, historyLimit: options.historyLimit });
  let clock = start.at;
  const record = (events: HistoryEvent[]) => {
    for (const e of events) history.push({ ...e, seq: history.length + 1, at: clock } as RecordedEvent);
  };
  record(await exec.activate(history));
  while (!exec.closed && history.length < (options.maxEvents ?? 500)) {
    const waiting = exec.waitingOn;
    if (!waiting) break;
    const reply = answer(waiting, clock);
    if (!reply) break;
    clock += reply.after ?? 1000;
    const resolution = { ...reply.event, seq: history.length + 1, at: clock } as RecordedEvent;
    history.push(resolution);
    record(await exec.activate([resolution]));
  }
  return history;
}

/** Replays a recorded history in a fresh execution; returns what the code asks to append. */
export async function replay(fn: WorkflowFunction, history: RecordedEvent[], historyLimit?: number): Promise<{ appended: HistoryEvent[]; exec: WorkflowExecution }> {
  const exec = new WorkflowExecution(fn, history[0] as Extract<RecordedEvent, { type: "WorkflowStarted" }>, { drain, historyLimit });
  const appended = await exec.activate(history);
  return { appended, exec };
}

/** Every activity succeeds with `results[activity]` (or its input echoed). */
export function activitiesSucceed(results: Record<string, (input: any) => unknown> = {}): Answer {
  return (c) => {
    if (c.type !== "ActivityScheduled") return undefined;
    const result = results[c.activity] ? results[c.activity](c.input) : c.input;
    return { event: { type: "ActivityCompleted", cmd: c.cmd, nodeId: c.nodeId, attempt: 1, result: result ?? null } };
  };
}
