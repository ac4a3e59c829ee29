// The shape of the code the `weft` target writes, for small hand-made drawings (shapes.ts): the
// code a developer would have written — straight lines for sequences, if/else for branches,
// `while` for loops — and the explicit state machine only where nesting cannot express the
// drawing. Each shape is also run against a scripted fake engine context, to show that the
// code does what the drawing says, and every module of this file type-checks under strict.

import { describe, it, expect } from "vitest";
import ts from "typescript";
import { compile, TARGETS, type Target } from "../../compiler/compile.ts";
import type { WorkflowContext, WorkflowOutcome } from "../../engine/runtime/workflow-api.ts";
import { DIAMOND, ERROR_EDGE, INTERLEAVED, IRREDUCIBLE, LOOP, SEQUENCE, SHAPES, SIGNAL_TIMEOUT, type ShapeDocument } from "./shapes.ts";
import { typecheck } from "./typecheck-helper.ts";

function generate(doc: ShapeDocument, target: Target = "weft") {
  const result = compile(doc, { target });
  if (!result.ok) throw new Error(`${doc.name} does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result;
}

function count(code: string, fragment: string): number {
  return code.split(fragment).length - 1;
}

// ---------------------------------------------------------------------------------------------
// A scripted engine context: records the node of every effect, answers from the script.

interface Script {
  /** Results of a step's successive calls (the last repeats). */
  results?: Record<string, unknown[]>;
  /** Steps that fail for good. */
  failing?: string[];
  /** Signal payloads by signal node; a node not listed times out. */
  signals?: Record<string, unknown>;
}

interface Run {
  trace: string[];
  outcome: WorkflowOutcome;
}

async function run(code: string, input: unknown, script: Script = {}): Promise<Run> {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = { exports: {} as { default?: (ctx: WorkflowContext, input: unknown) => Promise<WorkflowOutcome> } };
  new Function("exports", "module", "require", js)(module.exports, module, (name: string) => {
    throw new Error(`a weft module requires nothing at run time, but asked for ${name}`);
  });
  const trace: string[] = [];
  const calls = new Map<string, number>();
  const effect = (nodeId: string) => {
    trace.push(nodeId);
    if (trace.length > 100) throw new Error(`runaway workflow: ${trace.slice(-10).join(" ")}`);
  };
  const result = (nodeId: string) => {
    const list = script.results?.[nodeId] ?? [`${nodeId}-result`];
    const n = calls.get(nodeId) ?? 0;
    calls.set(nodeId, n + 1);
    return list[Math.min(n, list.length - 1)];
  };
  const ctx: WorkflowContext = {
    workflow: { id: "wf-1", runId: "run-1", startedAt: "2024-01-01T00:00:00.000Z", now: "2024-01-01T00:00:00.000Z" },
    helpers: { addDuration: (at) => at, startOfNextMonth: (at) => at },
    continuedAt: undefined,
    carried: {},
    async step(nodeId) {
      effect(nodeId);
      if (script.failing?.includes(nodeId)) throw new Error(`${nodeId} failed`);
      return result(nodeId);
    },
    async tryStep(nodeId) {
      effect(nodeId);
      if (script.failing?.includes(nodeId)) return { ok: false, error: { type: "Error", message: `${nodeId} failed`, attempt: 1 } };
      return { ok: true, result: result(nodeId) };
    },
    async sleep(nodeId) {
      effect(nodeId);
    },
    async sleepUntil(nodeId) {
      effect(nodeId);
    },
    async approval(nodeId: string) {
      effect(nodeId);
      return { outcome: "approved", decision: { approved: true, by: "ann", at: "2024-01-01T00:00:00.000Z" } } as any;
    },
    async signal(nodeId) {
      effect(nodeId);
      return script.signals?.[nodeId];
    },
    async signalOrTimeout(nodeId) {
      effect(nodeId);
      return script.signals && nodeId in script.signals ? { received: true, payload: script.signals[nodeId] } : { received: false };
    },
    async loop() {},
    exposeVariables() {},
    complete: (nodeId, result) => ({ status: "completed", nodeId, result }),
    fail: (nodeId, message) => ({ status: "failed", nodeId, error: { type: "WorkflowFailed", message: String(message) } }),
  };
  const outcome = await module.exports.default!(ctx, input);
  return { trace, outcome };
}

// ---------------------------------------------------------------------------------------------

describe("a straight sequence", () => {
  const { code, structured } = generate(SEQUENCE);

  it("is straight-line code: no loop, no branch, no state machine", () => {
    expect(structured).toBe(true);
    for (const construct of ["while", "switch", "for (", "if ("]) expect(code).not.toContain(construct);
  });

  it("runs its nodes in drawing order, each once and each tagged with its id", () => {
    const positions = ["a", "b", "c", "done"].map((id) => code.indexOf(`  // ${id}\n`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    for (const id of ["a", "b", "c"]) expect(count(code, `ctx.step("${id}"`)).toBe(1);
    expect(code).toContain('first = await ctx.step("a", "shapes.a", input);');
    expect(code).toContain('return ctx.complete("done", first);');
  });

  it("runs as drawn", async () => {
    const { trace, outcome } = await run(code, { id: 1 }, { results: { a: [{ v: 7 }] } });
    expect(trace).toEqual(["a", "b", "c"]);
    expect(outcome).toEqual({ status: "completed", nodeId: "done", result: { v: 7 } });
  });
});

describe("a branch whose arms meet again (a diamond)", () => {
  const { code, structured } = generate(DIAMOND);

  it("is if/else, and the code after the meeting point is written once, after it", () => {
    expect(structured).toBe(true);
    expect(code).toMatch(/ {2}\/\/ route\n {2}if \(input\.amount > 100\) \{\n[\s\S]*?ctx\.step\("x"[\s\S]*?\n {2}\} else \{\n[\s\S]*?ctx\.step\("y"[\s\S]*?\n {2}\}\n {2}\/\/ after\n {2}await ctx\.step\("after"/);
    expect(count(code, 'ctx.step("after"')).toBe(1);
    expect(count(code, "// after\n")).toBe(1);
    expect(code).not.toContain("while");
    expect(code).not.toContain("switch");
  });

  it.each([
    [{ amount: 500 }, ["pre", "x", "after"], "x-result"],
    [{ amount: 5 }, ["pre", "y", "after"], "y-result"],
  ])("runs the arm its condition picks (%j)", async (input, expected, price) => {
    const { trace, outcome } = await run(code, input);
    expect(trace).toEqual(expected);
    expect(outcome).toEqual({ status: "completed", nodeId: "done", result: price });
  });
});

describe("a loop with an exit (step → branch ─again→ timer → step; ─else→ end)", () => {
  const { code, structured } = generate(LOOP);

  it("is a `while (true)` left by `break` or `return`", () => {
    expect(structured).toBe(true);
    expect(count(code, "while (true)")).toBe(1);
    const loop = code.slice(code.indexOf("while (true)"));
    expect(loop).toMatch(/\bbreak;|return ctx\.complete\("done"/);
    expect(code).not.toContain("switch");
    expect(count(code, 'ctx.step("poll"')).toBe(1);
    expect(count(code, 'ctx.sleep("wait", "1m")')).toBe(1);
  });

  it("lets the engine continue a long run as new at the loop head, with the variables it exposes", () => {
    expect(code).toContain('await ctx.loop("poll");');
    expect(code).toContain("ctx.exposeVariables(() => ({ report }));");
    expect(code).toContain("let report: any = ctx.carried.report;");
  });

  it("goes round until the exit condition holds", async () => {
    const { trace, outcome } = await run(code, { id: 1 }, { results: { poll: [{ pending: true }, { pending: true }, { pending: false, n: 3 }] } });
    expect(trace).toEqual(["poll", "wait", "poll", "wait", "poll"]);
    expect(outcome).toEqual({ status: "completed", nodeId: "done", result: { pending: false, n: 3 } });
  });
});

describe("a step with an \"error\" edge", () => {
  const { code, structured } = generate(ERROR_EDGE);

  it("is `ctx.tryStep` and `if (…Outcome.ok)`, storing the output on success only", () => {
    expect(structured).toBe(true);
    expect(code).toMatch(/const chargeOutcome = await ctx\.tryStep\("charge", "shapes\.charge",/);
    expect(code).toMatch(/if \(chargeOutcome\.ok\) \{\n\s*receipt = chargeOutcome\.result;/);
    expect(code).not.toContain('ctx.step("charge"');
    expect(code).toContain("maximumAttempts: 3");
  });

  it("takes the success path when the step succeeds", async () => {
    const { trace, outcome } = await run(code, { amount: 3 }, { results: { charge: [{ id: "r-1" }] } });
    expect(trace).toEqual(["charge"]);
    expect(outcome).toEqual({ status: "completed", nodeId: "done", result: { id: "r-1" } });
  });

  it("takes the error edge when the step fails for good", async () => {
    const { trace, outcome } = await run(code, { amount: 3 }, { failing: ["charge"] });
    expect(trace).toEqual(["charge", "refund"]);
    expect(outcome).toEqual({ status: "failed", nodeId: "failed", error: { type: "WorkflowFailed", message: "charge failed" } });
  });
});

describe("a signal with a timeout", () => {
  const { code, structured } = generate(SIGNAL_TIMEOUT);

  it("is `ctx.signalOrTimeout` and a test of whether it was received", () => {
    expect(structured).toBe(true);
    expect(code).toContain('const waitAckOutcome = await ctx.signalOrTimeout("wait-ack", "ack", "1h");');
    expect(code).toMatch(/if \(waitAckOutcome\.received\) \{\n\s*ack = waitAckOutcome\.payload;/);
  });

  it("goes on with the payload when the signal comes", async () => {
    const { outcome } = await run(code, {}, { signals: { "wait-ack": { by: "bob" } } });
    expect(outcome).toEqual({ status: "completed", nodeId: "done", result: { by: "bob" } });
  });

  it("takes the timeout edge when it does not", async () => {
    const { outcome } = await run(code, {});
    expect(outcome).toMatchObject({ status: "failed", nodeId: "expired" });
  });
});

describe("a branch whose conditions' arms interleave (c1 → A, c2 → B, c3 → A)", () => {
  const { code, structured } = generate(INTERLEAVED);

  it("computes the route in condition order first, then tests it", () => {
    expect(structured).toBe(true);
    const route = /const (\w+) = input\.c1 \? "c1" : input\.c2 \? "c2" : input\.c3 \? "c3" : "else";/.exec(code);
    expect(route).not.toBeNull();
    const v = route![1];
    expect(code).toContain(`if (${v} === "c1" || ${v} === "c3") {`);
    expect(code).toContain(`} else if (${v} === "c2") {`);
    for (const id of ["A", "B", "C"]) expect(count(code, `ctx.step("${id}"`)).toBe(1);
  });

  it.each([
    [{ c1: true, c2: true, c3: true }, "A"],
    [{ c2: true, c3: true }, "B"],
    [{ c3: true }, "A"],
    [{ c1: true, c3: true }, "A"],
    [{}, "C"],
  ])("takes the arm of the first condition that holds (%j → %s)", async (input, arm) => {
    const { trace, outcome } = await run(code, input);
    expect(trace).toEqual([arm]);
    expect(outcome).toMatchObject({ status: "completed", nodeId: "done" });
  });
});

describe("an irreducible graph (a cycle with two entries)", () => {
  const { code, structured } = generate(IRREDUCIBLE);

  it("falls back to the state machine", () => {
    expect(structured).toBe(false);
    expect(code).toContain("switch (next)");
    expect(code).toContain("for (;;)");
    expect(code).not.toContain("while (true)");
    for (const id of ["route", "a", "b", "check", "done"]) expect(count(code, `case "${id}": {`)).toBe(1);
    expect(code).not.toContain('case "start"');
  });

  it("lets the engine continue a long run as new where the cycle closes", () => {
    expect(code).toMatch(/await ctx\.loop\("(a|b|check)"\);/);
    expect(code).toContain('let next: string = ctx.continuedAt ?? "route";');
  });

  it.each([
    [{ left: true, stop: true }, ["a"]],
    [{ left: false, stop: true }, ["b", "a"]],
  ])("runs as drawn (%j)", async (input, expected) => {
    const { trace, outcome } = await run(code, input);
    expect(trace).toEqual(expected);
    expect(outcome).toEqual({ status: "completed", nodeId: "done", result: "finished" });
  });

  it("goes round the cycle until the exit holds", async () => {
    await expect(run(code, { left: true, stop: false })).rejects.toThrow(/runaway workflow: ((a b ){4}a b|(b a ){4}b a)$/);
  });
});

describe("reducible drawings never fall back to the state machine", () => {
  it.each(Object.entries(SHAPES).filter(([, doc]) => doc !== IRREDUCIBLE))("%s", (_name, doc) => {
    for (const target of TARGETS) {
      const { code, structured } = generate(doc, target);
      expect(structured).toBe(true);
      expect(code).not.toContain("switch (next)");
    }
  });
});

describe("type checking", () => {
  it("type-checks every module of this file, both targets, under strict", () => {
    const files: Record<string, string> = {};
    for (const doc of Object.values(SHAPES)) for (const target of TARGETS) files[`${target}/${doc.name}.ts`] = generate(doc, target).code;
    expect(Object.keys(files)).toHaveLength(Object.keys(SHAPES).length * 2);
    expect(typecheck(files)).toEqual([]);
  });

  it("reports errors, with the file they are in (the helper does check)", () => {
    const errors = typecheck({
      "weft/broken.ts": 'import type { WorkflowContext } from "weft/workflow";\nexport const f = (ctx: WorkflowContext) => ctx.stepp("a");\n',
      "temporal/broken.ts": 'import * as wf from "@temporalio/workflow";\nexport const g = () => wf.sleeep(1);\n',
    });
    expect(errors).toHaveLength(2);
    expect(errors).toContainEqual(expect.stringMatching(/^weft\/broken\.ts\(2,\d+\): .*stepp/));
    expect(errors).toContainEqual(expect.stringMatching(/^temporal\/broken\.ts\(2,\d+\): .*sleeep/));
  });
});
