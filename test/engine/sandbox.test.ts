// The sandbox: compiled example modules run in it to the end; everything that would make a
// replay differ from the first execution is missing or deterministic.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.ts";
import { transpileModule } from "../../engine/deploy.ts";
import type { ActivityDefinition } from "../../engine/activity.ts";
import type { HistoryEvent, RecordedEvent } from "../../engine/runtime/events.ts";
import { WorkflowExecution, type WorkflowFunction } from "../../engine/runtime/execution.ts";
import { loadWorkflowModule, setDeterminismSource, type DeterminismSource } from "../../engine/sandbox.ts";
import { loadPlugins } from "../../engine/plugins.ts";

const EXAMPLES = new URL("../../examples", import.meta.url).pathname;
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith(".json")).sort();

function compiled(file: string): { name: string; hash: string; code: string } {
  const result = compile(JSON.parse(readFileSync(join(EXAMPLES, file), "utf8")), { target: "weft" });
  if (!result.ok) throw new Error(`${file} does not compile: ${JSON.stringify(result.diagnostics)}`);
  return { name: result.name, hash: result.hash, code: transpileModule(result.code, `${result.name}.ts`) };
}

/** A module from hand-written CommonJS whose workflow returns `body`'s value as its result. */
function snippet(body: string, top = ""): WorkflowFunction {
  const code = `"use strict";\n${top}\nexports.name = "snippet"; exports.hash = "sha256:0";\nexports.default = async function (ctx, input) { return { status: "completed", nodeId: "end", result: (${body}) }; };\n`;
  return loadWorkflowModule(code, "snippet.js").run;
}

async function result(fn: WorkflowFunction): Promise<unknown> {
  const outcome = await fn({} as never, {});
  return (outcome as { result: unknown }).result;
}

const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

let activities: Map<string, ActivityDefinition>;
const outboxDir = mkdtempSync(join(tmpdir(), "weft-sandbox-"));
const previousOutbox = process.env.WEFT_OUTBOX;

beforeAll(async () => {
  process.env.WEFT_OUTBOX = join(outboxDir, "outbox.jsonl");
  activities = await loadPlugins(["plugins/demo.mjs"], join(import.meta.dirname, "../.."));
});
afterAll(() => {
  if (previousOutbox === undefined) delete process.env.WEFT_OUTBOX;
  else process.env.WEFT_OUTBOX = previousOutbox;
  rmSync(outboxDir, { recursive: true, force: true });
});
afterEach(() => setDeterminismSource(undefined));

/**
 * Drives a run to its end the way a worker would, with an in-memory history: activities from
 * the demo plugin, timers fired at once (time jumps to their due time), approvals decided by
 * `decide`. Returns the history.
 */
async function drive(
  fn: WorkflowFunction,
  input: unknown,
  options: { decide?: (nodeId: string) => "approve" | "decline" | "timeout"; maxEvents?: number; historyLimit?: number } = {},
): Promise<RecordedEvent[]> {
  let clock = Date.UTC(2026, 0, 15, 12, 0, 0);
  const history: RecordedEvent[] = [];
  const append = (e: HistoryEvent) => {
    const recorded = { ...e, seq: history.length + 1, at: clock } as RecordedEvent;
    history.push(recorded);
    return recorded;
  };
  const start = append({
    type: "WorkflowStarted",
    workflowId: "wf-1",
    runId: "run-1",
    name: "x",
    version: 1,
    hash: "h",
    input,
    firstStartedAt: clock,
  }) as Extract<RecordedEvent, { type: "WorkflowStarted" }>;
  const execution = new WorkflowExecution(fn, start, { drain, historyLimit: options.historyLimit });
  let fresh: RecordedEvent[] = [start];
  for (let round = 0; round < (options.maxEvents ?? 200); round++) {
    const commands = await execution.activate(fresh);
    fresh = commands.map(append);
    if (history.some((e) => e.type === "WorkflowCompleted" || e.type === "WorkflowFailed" || e.type === "ContinuedAsNew")) return history;
    const command = execution.waitingOn;
    if (!command) throw new Error("the run waits for nothing");
    if (command.type === "ActivityScheduled") {
      const def = activities.get(command.activity)!;
      const ctx = {
        attempt: 1,
        signal: new AbortController().signal,
        heartbeat() {},
        log: console,
        info: { workflowId: "wf-1", runId: "run-1", nodeId: command.nodeId, activity: command.activity },
      };
      try {
        const value = await def.run(command.input, ctx);
        fresh.push(append({ type: "ActivityCompleted", cmd: command.cmd, nodeId: command.nodeId, attempt: 1, result: JSON.parse(JSON.stringify(value ?? null)) }));
      } catch (error) {
        const e = error as { type?: string; name: string; message: string };
        fresh.push(append({ type: "ActivityFailed", cmd: command.cmd, nodeId: command.nodeId, attempt: 1, error: { type: e.type ?? e.name, message: e.message } }));
      }
    } else if (command.type === "TimerStarted") {
      clock = Math.max(clock, command.dueAt);
      fresh.push(append({ type: "TimerFired", cmd: command.cmd, nodeId: command.nodeId }));
    } else if (command.type === "ApprovalRequested" || command.type === "SignalWaitStarted") {
      const decision = options.decide?.(command.nodeId) ?? "approve";
      clock += 60_000;
      if (decision === "timeout") fresh.push(append({ type: "WaitTimedOut", cmd: command.cmd, nodeId: command.nodeId }));
      else fresh.push(append({ type: "SignalReceived", cmd: command.cmd, nodeId: command.nodeId, signal: decision, payload: { by: "ann", comment: "ok" } }));
    }
  }
  throw new Error("the run did not end");
}

function closing(history: RecordedEvent[]): RecordedEvent {
  return history[history.length - 1]!;
}

describe("compiled example modules", () => {
  it.each(exampleFiles)("%s loads with its name and hash", (file) => {
    const { name, hash, code } = compiled(file);
    const module = loadWorkflowModule(code, `${name}.js`);
    expect(module.name).toBe(name);
    expect(module.hash).toBe(hash);
    expect(typeof module.run).toBe("function");
  });

  it("order-item runs to the end on the demo plugin, and a replay of its history issues nothing new", async () => {
    const { code } = compiled("order-item.json");
    const { run } = loadWorkflowModule(code, "order-item.js");
    const history = await drive(run, { orderId: "o-1", sku: "widget", qty: 3 });
    expect(closing(history)).toMatchObject({ type: "WorkflowCompleted", nodeId: "done", result: { orderId: "o-1", status: "fulfilled" } });
    expect(history.filter((e) => e.type === "ActivityScheduled").map((e) => (e as { activity: string }).activity)).toEqual([
      "orders.init",
      "orders.fulfill",
      "orders.archive",
    ]);

    // A second module instance (another worker) replays the whole history without new commands.
    const again = loadWorkflowModule(code, "order-item.js").run;
    const start = history[0] as Extract<RecordedEvent, { type: "WorkflowStarted" }>;
    const replay = new WorkflowExecution(again, start, { drain });
    expect(await replay.activate(history)).toEqual([]);
    expect(replay.closed).toBe(true);
  });

  it("order-item fails with PaymentFailed for a declined card", async () => {
    const { run } = loadWorkflowModule(compiled("order-item.json").code, "order-item.js");
    const history = await drive(run, { orderId: "o-2", sku: "declined-card", qty: 1 });
    expect(closing(history)).toMatchObject({ type: "WorkflowFailed", nodeId: "init", error: { type: "PaymentFailed" } });
  });

  it("money-transfer: small transfers skip the approval; large ones wait for it, and decline or time out", async () => {
    const { run } = loadWorkflowModule(compiled("money-transfer.json").code, "money-transfer.js");
    const small = await drive(run, { from: "a", to: "b", amount: 50 });
    expect(closing(small)).toMatchObject({ type: "WorkflowCompleted", result: { receipt: { from: "a", to: "b", amount: 50 } } });
    expect(small.some((e) => e.type === "ApprovalRequested")).toBe(false);

    const approved = await drive(run, { from: "a", to: "b", amount: 50_000 }, { decide: () => "approve" });
    expect(approved.some((e) => e.type === "ApprovalRequested")).toBe(true);
    expect(closing(approved)).toMatchObject({ type: "WorkflowCompleted", nodeId: "done" });

    const declined = await drive(run, { from: "a", to: "b", amount: 50_000 }, { decide: () => "decline" });
    expect(closing(declined)).toMatchObject({ type: "WorkflowFailed", nodeId: "declined", error: { message: "declined by ann" } });

    const expired = await drive(run, { from: "a", to: "b", amount: 50_000 }, { decide: () => "timeout" });
    expect(closing(expired)).toMatchObject({ type: "WorkflowFailed", nodeId: "expired" });

    const tooMuch = await drive(run, { from: "a", to: "b", amount: 2_000_000 });
    expect(closing(tooMuch)).toMatchObject({ type: "WorkflowFailed", nodeId: "transfer", error: { type: "InsufficientFunds" } });
  });

  it("user-onboarding sleeps a week, then sends tips or a nudge", async () => {
    const { run } = loadWorkflowModule(compiled("user-onboarding.json").code, "user-onboarding.js");
    for (const [email, node] of [
      ["ann@example.com", "tips"],
      ["idle@example.com", "nudge"],
    ] as const) {
      const history = await drive(run, { email });
      const timer = history.find((e) => e.type === "TimerStarted") as { dueAt: number; at: number };
      expect(timer.dueAt - timer.at).toBe(7 * 24 * 3600 * 1000);
      expect(history.filter((e) => e.type === "ActivityScheduled").map((e) => e.nodeId)).toEqual(["provision", "check", node]);
      expect(closing(history)).toMatchObject({ type: "WorkflowCompleted", nodeId: "end" });
    }
    const mails = readFileSync(process.env.WEFT_OUTBOX!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(mails.map((m) => [m.to, m.subject])).toEqual(
      expect.arrayContaining([
        ["ann@example.com", "Tips and tricks"],
        ["idle@example.com", "We miss you"],
      ]),
    );
  });

  it("monthly-statements bills on the 1st of each month and continues as new past the history bound", async () => {
    const { run } = loadWorkflowModule(compiled("monthly-statements.json").code, "monthly-statements.js");
    const history = await drive(run, { customerId: "c-1", email: "c@example.com" }, { historyLimit: 40 });
    expect(closing(history)).toMatchObject({ type: "ContinuedAsNew", loopHead: "bill" });
    const timers = history.filter((e) => e.type === "TimerStarted").map((e) => new Date((e as { dueAt: number }).dueAt).toISOString());
    expect(timers.slice(0, 3)).toEqual(["2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"]);
    const bills = history.filter((e) => e.type === "ActivityScheduled" && e.nodeId === "bill") as Array<{ input: { at: string } }>;
    expect(bills[1]!.input.at).toBe("2026-02-01T00:00:00.000Z");
  });
});

describe("what workflow code cannot reach", () => {
  it.each([
    ["process"],
    ["global"],
    ["require"],
    ["module"],
    ["setTimeout"],
    ["setInterval"],
    ["setImmediate"],
    ["clearTimeout"],
    ["queueMicrotask"],
    ["fetch"],
    ["Buffer"],
    ["WeakRef"],
    ["FinalizationRegistry"],
    ["SharedArrayBuffer"],
    ["Atomics"],
    ["performance"],
  ])("%s is absent from the global object", async (name) => {
    expect(await result(snippet(`typeof globalThis[${JSON.stringify(name)}]`))).toBe("undefined");
  });

  it("has its own globalThis, not the real one", async () => {
    (globalThis as Record<string, unknown>).weftSandboxProbe = 42;
    try {
      expect(await result(snippet(`[typeof weftSandboxProbe, globalThis.weftSandboxProbe, typeof globalThis.process]`))).toEqual([
        "undefined",
        undefined,
        "undefined",
      ]);
    } finally {
      delete (globalThis as Record<string, unknown>).weftSandboxProbe;
    }
  });

  it("process and timers are unbound names: using them throws", async () => {
    await expect(snippet(`process.exit(1)`)({} as never, {})).rejects.toThrow(/process is not defined/);
    await expect(snippet(`setTimeout(() => {}, 1)`)({} as never, {})).rejects.toThrow(/setTimeout is not defined/);
    await expect(snippet(`queueMicrotask(() => {})`)({} as never, {})).rejects.toThrow(/queueMicrotask is not defined/);
    await expect(snippet(`fetch("http://example.com")`)({} as never, {})).rejects.toThrow(/fetch is not defined/);
  });

  it("a module that requires anything fails to load, naming the module it asked for", () => {
    expect(() => loadWorkflowModule(`"use strict"; const fs = require("node:fs"); exports.name = "x"; exports.hash = "h"; exports.default = async () => {};`, "bad.js")).toThrow(
      /cannot load workflow module bad\.js: workflow module bad\.js requires "node:fs" at run time, but workflow code runs in a sandbox without modules: it may only `import type`/,
    );
  });

  it("a require inside the workflow function fails the run with the same message", async () => {
    await expect(snippet(`require("child_process")`)({} as never, {})).rejects.toThrow(/requires "child_process" at run time/);
  });

  it("a compiled TypeScript module that imports a value (not a type) fails with the module's name", () => {
    const source = `import { readFileSync } from "node:fs";\nexport const name = "x";\nexport const hash = "h";\nexport default async function (ctx: unknown) { return readFileSync("/etc/passwd"); }\n`;
    const code = transpileModule(source, "x.ts");
    // TypeScript elides an import whose binding is only used... here it is used, so it stays.
    expect(code).toContain(`require("node:fs")`);
    expect(() => loadWorkflowModule(code, "x.js")).toThrow(/requires "node:fs"/);
  });

  it("import type compiles away, so compiled modules load", () => {
    const code = transpileModule(`import type { WorkflowContext } from "weft/workflow";\nexport const name = "t";\nexport const hash = "h";\nexport default async function (ctx: WorkflowContext) { return ctx.complete("end"); }\n`, "t.ts");
    expect(code).not.toContain("require(");
    expect(loadWorkflowModule(code, "t.js").name).toBe("t");
  });

  it("eval, new Function and the Function constructor are refused", async () => {
    await expect(snippet(`eval("1 + 1")`)({} as never, {})).rejects.toThrow(/Code generation from strings disallowed/);
    await expect(snippet(`new Function("return 1")()`)({} as never, {})).rejects.toThrow(/Code generation from strings disallowed/);
    await expect(snippet(`(async () => {}).constructor("return 1")`)({} as never, {})).rejects.toThrow(/Code generation from strings disallowed/);
    await expect(snippet(`[].constructor.constructor("return process")()`)({} as never, {})).rejects.toThrow(/Code generation from strings disallowed/);
  });

  it("WebAssembly cannot compile code", async () => {
    const wasm = "new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])";
    await expect(snippet(`await WebAssembly.compile(${wasm})`)({} as never, {})).rejects.toThrow(/Wasm code generation disallowed/);
  });

  it("dynamic import() is refused", async () => {
    await expect(snippet(`await import("node:fs")`)({} as never, {})).rejects.toThrow(/dynamic import callback was not specified/);
  });

  it("a module that does not export a workflow is refused", () => {
    expect(() => loadWorkflowModule(`exports.name = "x";`, "half.js")).toThrow(
      /workflow module half\.js does not export `hash` \(a string\), a default export \(the workflow function\)/,
    );
  });

  it("a syntax error names the file", () => {
    expect(() => loadWorkflowModule(`exports.default = async function ( {`, "broken.js")).toThrow(/cannot load workflow module broken\.js: /);
  });

  it("an endless loop at a module's top level is stopped", () => {
    expect(() => loadWorkflowModule(`for (;;) {}`, "loop.js", { timeoutMs: 200 })).toThrow(/cannot load workflow module loop\.js: Script execution timed out/);
  });

  it("each loaded module has its own context", async () => {
    const code = `"use strict"; let calls = 0; exports.name = "c"; exports.hash = "h"; exports.default = async () => ({ status: "completed", nodeId: "e", result: ++calls });`;
    const a = loadWorkflowModule(code, "c.js");
    const b = loadWorkflowModule(code, "c.js");
    expect(await result(a.run)).toBe(1);
    expect(await result(a.run)).toBe(2);
    expect(await result(b.run)).toBe(1);
    expect(await result(snippet(`Object.getPrototypeOf([]) === Array.prototype`))).toBe(true);
  });
});

describe("time and randomness", () => {
  const fixed: DeterminismSource = { now: () => Date.UTC(2030, 4, 6, 7, 8, 9, 10), random: () => 0.25 };

  it("without a source, Date.now(), new Date(), Date() and Math.random() throw, pointing at workflow.now", async () => {
    for (const expr of ["Date.now()", "new Date()", "Date()", "Math.random()", "new Intl.DateTimeFormat('en').format()"]) {
      await expect(snippet(expr)({} as never, {}), expr).rejects.toThrow(
        /workflow code must read time and randomness from the engine \(`workflow\.now`/,
      );
    }
  });

  it("with a source, they read it", async () => {
    setDeterminismSource(fixed);
    expect(
      await result(
        snippet(`[Date.now(), new Date().toISOString(), Math.random(), typeof Date(), Date().includes("2030"), new Date() instanceof Date]`),
      ),
    ).toEqual([Date.UTC(2030, 4, 6, 7, 8, 9, 10), "2030-05-06T07:08:09.010Z", 0.25, "string", true, true]);
  });

  it("follows the source as it changes", async () => {
    let t = 1000;
    let r = 0;
    setDeterminismSource({ now: () => t, random: () => (r += 0.1) });
    const fn = snippet(`[Date.now(), Math.random(), Math.random()]`);
    expect(await result(fn)).toEqual([1000, 0.1, 0.2]);
    t = 2000;
    expect(await result(fn)).toEqual([2000, expect.closeTo(0.3), expect.closeTo(0.4)]);
  });

  it("new Date(x), Date.parse and Date.UTC keep working without a source", async () => {
    expect(
      await result(
        snippet(
          `[new Date(0).toISOString(), new Date("2026-03-01T00:00:00Z").getTime(), new Date(2026, 0, 2).getFullYear(), Date.parse("2026-01-01T00:00:00Z"), Date.UTC(2026, 0, 1), new Date(5) instanceof Date, Object.prototype.toString.call(new Date(5)), new Date(5).constructor === Date, Math.max(1, 2), new Intl.DateTimeFormat("en", { timeZone: "UTC" }).format(new Date(0))]`,
        ),
      ),
    ).toEqual([
      "1970-01-01T00:00:00.000Z",
      Date.UTC(2026, 2, 1),
      2026,
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1),
      true,
      "[object Date]",
      true,
      2,
      "1/1/1970",
    ]);
  });

  it("a subclass of Date reads the source too", async () => {
    setDeterminismSource(fixed);
    expect(await result(snippet(`new (class D extends Date {})().getTime()`))).toBe(Date.UTC(2030, 4, 6, 7, 8, 9, 10));
  });

  it("the host's own Date and Math.random are untouched", () => {
    setDeterminismSource(fixed);
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1000);
    expect(Date.now()).not.toBe(fixed.now());
    expect(Math.random()).not.toBe(0.25);
  });
});
