// Activity plugins: loading modules (paths, packages, .mjs/.js/.cjs/.ts), every way a module
// can be wrong, input validation, and the demo and testing plugins themselves.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVITY_NAME_PATTERN, defineActivity, errorType, type ActivityContext, type ActivityDefinition } from "../../engine/activity.ts";
import { loadPlugins, PluginError, validateActivityInput } from "../../engine/plugins.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "weft-plugins-"));

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function ctx(overrides: Partial<ActivityContext> = {}): ActivityContext & { beats: unknown[] } {
  const beats: unknown[] = [];
  return {
    attempt: 1,
    signal: new AbortController().signal,
    heartbeat: (d?: unknown) => void beats.push(d),
    log: { info() {}, warn() {}, error() {} },
    info: { workflowId: "wf", runId: "run", nodeId: "node", activity: "a" },
    beats,
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

beforeAll(() => {
  write("good.mjs", `export default [{ name: "good.one", title: "One", async run(input) { return { one: input }; } }];\n`);
  write("good.js", `export default [{ name: "good.js", run: (input) => input }];\n`);
  write("good.cjs", `module.exports = [{ name: "good.cjs", run: () => "cjs" }];\n`);
  write(
    "typed.ts",
    `interface In { n: number }\nconst double = { name: "typed.double", inputSchema: { type: "object", required: ["n"], properties: { n: { type: "number" } } }, run: (input: In): number => input.n * 2 };\nexport default [double];\n`,
  );
  write("dup-a.mjs", `export default [{ name: "dup.x", run() {} }];\n`);
  write("dup-b.mjs", `export default [{ name: "other", run() {} }, { name: "dup.x", run() {} }];\n`);
  write("dup-self.mjs", `export default [{ name: "self.x", run() {} }, { name: "self.x", run() {} }];\n`);
  write("no-default.mjs", `export const activities = [];\n`);
  write("object-default.mjs", `export default { name: "a", run() {} };\n`);
  write(
    "bad-entries.mjs",
    `export default [\n  { name: "ok.fine", run() {} },\n  { run() {} },\n  { name: "bad name", run() {} },\n  { name: "no.run" },\n  { name: "run.string", run: "nope" },\n  42,\n  { name: "schema.bad", run() {}, inputSchema: { type: "nonsense" } },\n  { name: "title.bad", run() {}, title: 7 },\n  { name: ".leading", run() {} },\n];\n`,
  );
  write("throws.mjs", `throw new Error("exploded at import");\n`);
  write("syntax.mjs", `export default [ { name: "x", run() { ] ;\n`);
  write("nested/plug.mjs", `export default [{ name: "nested.plug", run: () => 1 }];\n`);
  // packages in a project's node_modules
  write("project/node_modules/weft-plugin-cjs/package.json", JSON.stringify({ name: "weft-plugin-cjs", main: "index.js" }));
  write("project/node_modules/weft-plugin-cjs/index.js", `module.exports = [{ name: "pkg.cjs", run: () => "pkg" }];\n`);
  write(
    "project/node_modules/weft-plugin-esm/package.json",
    JSON.stringify({ name: "weft-plugin-esm", type: "module", exports: { ".": { import: "./main.js" } } }),
  );
  write("project/node_modules/weft-plugin-esm/main.js", `export default [{ name: "pkg.esm", run: () => "esm" }];\n`);
  write("project/node_modules/@acme/weft-activities/package.json", JSON.stringify({ name: "@acme/weft-activities", type: "module", exports: "./lib.js" }));
  write("project/node_modules/@acme/weft-activities/lib.js", `export default [{ name: "acme.thing", run: () => "acme" }];\n`);
  mkdirSync(join(dir, "project/src"), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadPlugins", () => {
  it("loads .mjs, .js, .cjs and .ts modules by relative and absolute path", async () => {
    const map = await loadPlugins(["./good.mjs", "good.js", join(dir, "good.cjs"), "./typed.ts", "nested/plug.mjs"], dir);
    expect([...map.keys()]).toEqual(["good.one", "good.js", "good.cjs", "typed.double", "nested.plug"]);
    expect(await map.get("good.one")!.run(5, ctx())).toEqual({ one: 5 });
    expect(await map.get("good.cjs")!.run(null, ctx())).toBe("cjs");
    expect(await map.get("typed.double")!.run({ n: 21 }, ctx())).toBe(42);
    expect(map.get("good.one")!.title).toBe("One");
  });

  it("resolves relative paths against cwd", async () => {
    const map = await loadPlugins(["../good.mjs"], join(dir, "nested"));
    expect(map.has("good.one")).toBe(true);
  });

  it("loads packages from cwd's node_modules: CommonJS, ESM-only and scoped", async () => {
    const map = await loadPlugins(["weft-plugin-cjs", "weft-plugin-esm", "@acme/weft-activities"], join(dir, "project/src"));
    expect([...map.keys()]).toEqual(["pkg.cjs", "pkg.esm", "acme.thing"]);
    expect(await map.get("pkg.esm")!.run(null, ctx())).toBe("esm");
  });

  it("returns an empty map for no modules", async () => {
    expect((await loadPlugins([], dir)).size).toBe(0);
  });

  it("names a missing file or package", async () => {
    await expect(loadPlugins(["./missing.mjs"], dir)).rejects.toThrow(`cannot load activity module "./missing.mjs": no such file ${join(dir, "missing.mjs")}`);
    await expect(loadPlugins(["no-such-weft-plugin-package"], dir)).rejects.toThrow(
      /cannot load activity module "no-such-weft-plugin-package": no such file in .*, and no package of that name is installed/,
    );
  });

  it("names a module that throws or does not parse", async () => {
    const thrown = await failureOf(loadPlugins(["./throws.mjs"], dir));
    expect(thrown).toBeInstanceOf(PluginError);
    expect(thrown.message).toBe(`cannot load activity module "./throws.mjs": exploded at import`);
    const syntax = await failureOf(loadPlugins(["./syntax.mjs"], dir));
    expect(syntax.message).toMatch(/^cannot load activity module "\.\/syntax\.mjs": /);
  });

  it("requires a default export that is an array", async () => {
    await expect(loadPlugins(["./no-default.mjs"], dir)).rejects.toThrow(
      `activity module "./no-default.mjs" has no default export: it must \`export default [ { name, run }, … ]\``,
    );
    await expect(loadPlugins(["./object-default.mjs"], dir)).rejects.toThrow(
      `activity module "./object-default.mjs" exports an object by default, not an array of activities`,
    );
  });

  it("lists every bad entry by index and name, on one line", async () => {
    const error = await failureOf(loadPlugins(["./bad-entries.mjs"], dir));
    expect(error).toBeInstanceOf(PluginError);
    expect(error.message).not.toContain("\n");
    expect(error.message).toMatch(/^activity module "\.\/bad-entries\.mjs" is invalid: /);
    for (const fragment of [
      "activity 1 has no `name`",
      `activity 2 ("bad name") has the name "bad name": names are dot-separated words`,
      `activity 3 ("no.run") has no \`run\` function`,
      `activity 4 ("run.string") has a \`run\` that is string "nope", not a function`,
      "activity 5 is number 42, not an activity object",
      `activity 6 ("schema.bad") has an invalid \`inputSchema\`: `,
      `activity 7 ("title.bad") has a \`title\` that is number 7, not a string`,
      `activity 8 (".leading") has the name ".leading"`,
    ]) {
      expect(error.message).toContain(fragment);
    }
    expect(error.message).not.toContain("activity 0");
  });

  it("refuses a name defined twice, across modules or within one", async () => {
    await expect(loadPlugins(["./dup-a.mjs", "./dup-b.mjs"], dir)).rejects.toThrow(
      `activity module "./dup-b.mjs" is invalid: activity 1 ("dup.x"): the name "dup.x" is already defined by activity module "./dup-a.mjs"`,
    );
    await expect(loadPlugins(["./dup-self.mjs"], dir)).rejects.toThrow(
      `activity module "./dup-self.mjs" is invalid: activity 1 ("self.x"): the name "self.x" is defined twice in this module`,
    );
  });

  it("loads .ts plugins under tsx too (how the weft command runs)", () => {
    const script = `import { loadPlugins } from ${JSON.stringify(join(ROOT, "engine/plugins.ts"))};\nconst map = await loadPlugins(["./typed.ts", "./good.mjs"], ${JSON.stringify(dir)});\nconsole.log(JSON.stringify([...map.keys()]));\n`;
    const file = write("probe.mts", script);
    const out = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [file], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toEqual(["typed.double", "good.one"]);
  }, 30_000);
});

describe("validateActivityInput", () => {
  const def = defineActivity<{ to: string; qty: number }>({
    name: "x.y",
    inputSchema: {
      type: "object",
      required: ["to", "qty"],
      additionalProperties: false,
      properties: {
        to: { type: "string", format: "email" },
        qty: { type: "integer", minimum: 1 },
        kind: { enum: ["a", "b"] },
        when: { type: "string", format: "date-time" },
        unknownFormat: { type: "string", format: "hostname-ish" },
      },
    },
    run: () => undefined,
  });

  it("accepts a valid input, and anything without a schema", () => {
    expect(validateActivityInput(def, { to: "a@b.c", qty: 2, kind: "a", when: "2026-01-01T00:00:00Z", unknownFormat: "x" })).toEqual([]);
    expect(validateActivityInput({ inputSchema: undefined }, "anything")).toEqual([]);
  });

  it("returns every problem with its path", () => {
    const errors = validateActivityInput(def, { qty: 0, extra: 1, kind: "c", to: "nope", when: "yesterday" });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: "", message: `must not have property "extra"` },
        { path: "/qty", message: "must be >= 1" },
        { path: "/kind", message: `must be one of ["a","b"]` },
        { path: "/to", message: `must match format "email"` },
        { path: "/when", message: `must match format "date-time"` },
      ]),
    );
    expect(validateActivityInput(def, {})).toEqual(
      expect.arrayContaining([
        { path: "", message: `must have property "to"` },
        { path: "", message: `must have property "qty"` },
      ]),
    );
    expect(validateActivityInput(def, "text")).toEqual([{ path: "", message: "must be object" }]);
  });
});

describe("activity helpers", () => {
  it("defineActivity returns its argument", () => {
    const def: ActivityDefinition = { name: "a.b", run: () => 1 };
    expect(defineActivity(def)).toBe(def);
  });

  it("errorType is err.type ?? err.name", () => {
    expect(errorType(Object.assign(new Error("x"), { type: "PaymentFailed" }))).toBe("PaymentFailed");
    expect(errorType(new TypeError("x"))).toBe("TypeError");
    expect(errorType({ name: "Custom" })).toBe("Custom");
    expect(errorType("a string")).toBe("Error");
    expect(errorType(null)).toBe("Error");
  });

  it("the name pattern matches the compiler's", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "compiler/workflow.schema.json"), "utf8"));
    const text = JSON.stringify(schema);
    expect(text).toContain(JSON.stringify(ACTIVITY_NAME_PATTERN.source));
  });
});

describe("the demo plugin", () => {
  let demo: Map<string, ActivityDefinition>;
  const outbox = join(dir, "out/deep/outbox.jsonl");
  const previous = process.env.WEFT_OUTBOX;

  beforeAll(async () => {
    demo = await loadPlugins(["plugins/demo.mjs"], ROOT);
    process.env.WEFT_OUTBOX = outbox;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.WEFT_OUTBOX;
    else process.env.WEFT_OUTBOX = previous;
  });

  it("has every activity the four examples use, each with a title and an input schema", () => {
    const used = new Set<string>();
    for (const file of ["order-item", "money-transfer", "user-onboarding", "monthly-statements"]) {
      const doc = JSON.parse(readFileSync(new URL(`../../examples/${file}.json`, import.meta.url), "utf8")) as { nodes: Array<{ activity?: string }> };
      for (const node of doc.nodes) if (node.activity) used.add(node.activity);
    }
    for (const name of used) expect(demo.has(name), name).toBe(true);
    for (const def of demo.values()) {
      expect(typeof def.title, def.name).toBe("string");
      expect(typeof def.inputSchema, def.name).toBe("object");
    }
  });

  it("orders.*", async () => {
    const run = (name: string, input: unknown) => demo.get(name)!.run(input, ctx());
    const order = await run("orders.init", { orderId: "o-1", sku: "widget", qty: 3 });
    expect(order).toEqual({ id: "o-1", sku: "widget", qty: 3, total: 30 });
    const declined = await failureOf(Promise.resolve().then(() => run("orders.init", { orderId: "o-2", sku: "declined-card", qty: 1 })));
    expect(errorType(declined)).toBe("PaymentFailed");
    expect(await run("orders.fulfill", order)).toBe("fulfilled");
    expect(await run("orders.archive", { order, status: "fulfilled" })).toMatchObject({ archived: true });
    expect(validateActivityInput(demo.get("orders.init")!, { orderId: "o-1", sku: "widget", qty: 3 })).toEqual([]);
    expect(validateActivityInput(demo.get("orders.init")!, { orderId: "o-1", sku: "widget", qty: 0 })).not.toEqual([]);
  });

  it("users.*", async () => {
    const user = (await demo.get("users.provision")!.run({ email: "ann@example.com" }, ctx())) as { id: string };
    expect(user.id).toBe("u-ann@example.com");
    const busy = (await demo.get("users.activitySince")!.run({ userId: user.id, since: "2026-01-01T00:00:00Z" }, ctx())) as { actions: number };
    expect(busy.actions).toBeGreaterThan(0);
    const again = (await demo.get("users.activitySince")!.run({ userId: user.id, since: "2026-01-01T00:00:00Z" }, ctx())) as { actions: number };
    expect(again.actions).toBe(busy.actions);
    const idle = (await demo.get("users.activitySince")!.run({ userId: "u-idle@example.com" }, ctx())) as { actions: number };
    expect(idle.actions).toBe(0);
  });

  it("billing.computeStatement", async () => {
    const s = (await demo.get("billing.computeStatement")!.run({ customerId: "c-1", at: "2026-02-01T00:00:00.000Z" }, ctx())) as Record<string, unknown>;
    expect(s).toMatchObject({ customerId: "c-1", at: "2026-02-01T00:00:00.000Z" });
    expect(typeof s.total).toBe("number");
  });

  it("bank.transfer, writing each payment to the outbox, creating its directory", async () => {
    expect(existsSync(outbox)).toBe(false);
    const tx = await demo.get("bank.transfer")!.run({ from: "a", to: "b", amount: 100 }, ctx());
    expect(tx).toMatchObject({ id: expect.stringMatching(/^tx-/), from: "a", to: "b", amount: 100 });
    // The payment lands in the outbox, for the app's Outbox page.
    const paid = readFileSync(outbox, "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((l) => l.kind === "payment");
    expect(paid.at(-1)).toMatchObject({ kind: "payment", id: tx.id, from: "a", to: "b", amount: 100, workflowId: ctx().info.workflowId });
    const poor = await failureOf(Promise.resolve().then(() => demo.get("bank.transfer")!.run({ from: "a", to: "b", amount: 1_000_001 }, ctx())));
    expect(errorType(poor)).toBe("InsufficientFunds");
    expect(await demo.get("bank.transfer")!.run({ from: "a", to: "b", amount: 1_000_000 }, ctx())).toMatchObject({ amount: 1_000_000 });
  });

  it("notify.email appends to the outbox", async () => {
    expect(await demo.get("notify.email")!.run({ to: "ann@example.com", subject: "Hi", body: "Hello" }, ctx())).toEqual({ sent: true });
    await demo.get("notify.email")!.run({ to: "bob@example.com", subject: "Yo" }, ctx());
    const lines = readFileSync(outbox, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    // Each line says what it is and the run it came from (the app's Outbox page shows them).
    const from = { workflowId: ctx().info.workflowId, nodeId: ctx().info.nodeId };
    expect(lines.filter((l) => l.kind === "email")).toEqual([
      { at: expect.any(String), kind: "email", to: "ann@example.com", subject: "Hi", body: "Hello", ...from },
      { at: expect.any(String), kind: "email", to: "bob@example.com", subject: "Yo", body: "", ...from },
    ]);
    expect(Number.isNaN(Date.parse(lines[0].at))).toBe(false);
  });
});

describe("the testing plugin", () => {
  let t: Map<string, ActivityDefinition>;
  beforeAll(async () => {
    t = await loadPlugins(["test/fixtures/plugins/testing.mjs"], ROOT);
  });

  it("test.flaky fails with Flaky until the attempt passes input.failures, logging each attempt", async () => {
    const log = join(dir, "flaky/log.jsonl");
    for (const attempt of [1, 2]) {
      const error = await failureOf(Promise.resolve().then(() => t.get("test.flaky")!.run({ failures: 2, log }, ctx({ attempt }))));
      expect(errorType(error)).toBe("Flaky");
    }
    expect(await t.get("test.flaky")!.run({ failures: 2, log }, ctx({ attempt: 3 }))).toEqual({ attempts: 3 });
    const lines = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(typeof lines[0].at).toBe("number");
  });

  it("test.fatal throws Fatal", async () => {
    expect(errorType(await failureOf(Promise.resolve().then(() => t.get("test.fatal")!.run({}, ctx()))))).toBe("Fatal");
  });

  it("test.slow waits, heartbeating, and rejects at once when aborted", async () => {
    const c = ctx();
    const started = Date.now();
    expect(await t.get("test.slow")!.run({ ms: 350 }, c)).toEqual({ waited: 350 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(340);
    expect(c.beats.length).toBeGreaterThanOrEqual(2);

    const controller = new AbortController();
    const aborted = ctx({ signal: controller.signal });
    const at = Date.now();
    setTimeout(() => controller.abort(Object.assign(new Error("start-to-close timeout"), { type: "Timeout" })), 120);
    const error = await failureOf(Promise.resolve(t.get("test.slow")!.run({ ms: 10_000 }, aborted)));
    expect(Date.now() - at).toBeLessThan(1000);
    expect(errorType(error)).toBe("Timeout");

    const already = new AbortController();
    already.abort();
    await expect(Promise.resolve(t.get("test.slow")!.run({ ms: 10_000 }, ctx({ signal: already.signal })))).rejects.toThrow();
  });

  it("test.count logs each run and returns input.value", async () => {
    const log = join(dir, "count/log.jsonl");
    expect(await t.get("test.count")!.run({ log, value: { v: 1 } }, ctx())).toEqual({ v: 1 });
    expect(await t.get("test.count")!.run({ log, value: 2 }, ctx({ attempt: 2 }))).toBe(2);
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("test.echo returns its input", async () => {
    expect(await t.get("test.echo")!.run({ a: [1] }, ctx())).toEqual({ a: [1] });
  });
});
