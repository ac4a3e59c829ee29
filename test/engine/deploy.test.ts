// Deploying documents as versions, on a fresh SQLite file and on the real PostgreSQL (a fresh
// schema per test run, dropped afterwards).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.ts";
import { deploy, DeployError, getVersion, listWorkflows, transpileModule } from "../../engine/deploy.ts";
import { loadWorkflowModule } from "../../engine/sandbox.ts";
import { openDatabase, type Database } from "../../engine/storage/database.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("deploy");
/** A database URL nobody has used yet. */
const freshUrl = databases.freshUrl;
afterAll(() => databases.cleanup());

const EXAMPLES = new URL("../../examples", import.meta.url).pathname;
const examples = Object.fromEntries(
  readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(EXAMPLES, f), "utf8"))]),
) as Record<string, { name: string; title?: string; nodes: Array<Record<string, unknown>> }>;

/** The document with a different meaning (its input schema's description; the title alone does not change the hash). */
function retitled<T extends { title?: string; inputSchema?: object }>(doc: T, title: string): T {
  return { ...structuredClone(doc), title, inputSchema: { ...(doc.inputSchema ?? {}), description: title } };
}

describe("transpileModule", () => {
  it("turns a compiled module into CommonJS without types, source maps or imports, deterministically", () => {
    const result = compile(examples["order-item"]!);
    if (!result.ok) throw new Error("order-item does not compile");
    const a = transpileModule(result.code, "order-item.ts");
    const b = transpileModule(result.code, "order-item.ts");
    expect(a).toBe(b);
    expect(a).toContain("exports.default = orderItem;");
    expect(a).toContain(`exports.hash = "${result.hash}"`);
    expect(a).not.toContain("require(");
    expect(a).not.toContain("sourceMappingURL");
    expect(a).not.toMatch(/: WorkflowContext|: any|Promise<WorkflowOutcome>/);
    expect(a).toContain("async function orderItem(ctx, input)");
  });
});

describe.each(["sqlite", "postgresql"] as const)("deploy on %s", (kind) => {
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ url: freshUrl(kind), prisma: false });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("stores version 1, with the document, the TypeScript module and its CommonJS", async () => {
    const before = Date.now();
    const deployed = await deploy(db, examples["order-item"]);
    const compiled = compile(examples["order-item"]!);
    if (!compiled.ok) throw new Error("unreachable");
    expect(deployed).toEqual({ name: "order-item", version: 1, hash: compiled.hash, created: true });

    const row = await getVersion(db, "order-item");
    expect(row).toMatchObject({ name: "order-item", version: 1, hash: compiled.hash, source: compiled.code });
    expect(row!.document).toEqual(examples["order-item"]);
    expect(row!.code).toBe(transpileModule(compiled.code, "order-item.ts"));
    expect(row!.createdAt).toBeGreaterThanOrEqual(before);
    expect(row!.createdAt).toBeLessThanOrEqual(Date.now());
    expect(Number.isInteger(row!.createdAt)).toBe(true);

    // what is stored loads in the sandbox
    const module = loadWorkflowModule(row!.code, "order-item.js");
    expect(module).toMatchObject({ name: "order-item", hash: compiled.hash });
  });

  it("redeploying an unchanged document stores nothing", async () => {
    const again = await deploy(db, structuredClone(examples["order-item"]));
    expect(again).toMatchObject({ name: "order-item", version: 1, created: false });
    // nor do positions, labels and the title, which the hash leaves out: the stored document stays the first one
    const moved = structuredClone(examples["order-item"]!);
    for (const node of moved.nodes) {
      node.position = { x: 999, y: -5 };
      node.label = "renamed";
    }
    moved.title = "Another title";
    expect(await deploy(db, moved)).toMatchObject({ version: 1, created: false });
    expect((await getVersion(db, "order-item"))!.document).toEqual(examples["order-item"]);
    const count = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM workflow_version WHERE name = ?", ["order-item"]);
    expect(Number(count[0]!.n)).toBe(1);
  });

  it("a changed document becomes the next version; old versions stay readable", async () => {
    const v2 = await deploy(db, retitled(examples["order-item"]!, "Order item, v2"));
    expect(v2).toMatchObject({ name: "order-item", version: 2, created: true });
    const v3 = await deploy(db, retitled(examples["order-item"]!, "Order item, v3"));
    expect(v3).toMatchObject({ version: 3, created: true });
    expect(v3.hash).not.toBe(v2.hash);

    expect((await getVersion(db, "order-item"))!.version).toBe(3);
    expect((await getVersion(db, "order-item", 1))!.document).toEqual(examples["order-item"]);
    expect(((await getVersion(db, "order-item", 2))!.document as { title: string }).title).toBe("Order item, v2");
    expect(await getVersion(db, "order-item", 4)).toBeUndefined();
    expect(await getVersion(db, "no-such-workflow")).toBeUndefined();

    // the latest again: unchanged
    expect(await deploy(db, retitled(examples["order-item"]!, "Order item, v3"))).toMatchObject({ version: 3, created: false });
  });

  it("brings back an older version's document as a new version (a rollback)", async () => {
    const back = await deploy(db, examples["order-item"]);
    expect(back).toMatchObject({ version: 4, created: true, hash: (await getVersion(db, "order-item", 1))!.hash });
    expect((await getVersion(db, "order-item"))!.version).toBe(4);
  });

  it("refuses a document that does not compile, listing every diagnostic", async () => {
    const broken = structuredClone(examples["order-item"]!);
    broken.nodes.push({ id: "orphan", type: "step", activity: "orders.init", input: "=nope.x" });
    (broken.nodes.find((n) => n.id === "fulfill") as Record<string, unknown>).timeout = "soon";
    const error = await deploy(db, broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    const { diagnostics, message } = error as DeployError;
    expect(diagnostics.length).toBeGreaterThanOrEqual(2);
    expect((error as DeployError).reason).toBe("invalid");
    for (const d of diagnostics) {
      expect(d).toMatchObject({ code: expect.any(String), id: expect.any(String), message: expect.any(String) });
      expect(message).toContain(`${d.id} ${d.field ? `${d.field}: ` : ""}${d.message}`);
    }
    expect(diagnostics.map((d) => d.id)).toEqual(expect.arrayContaining(["orphan", "fulfill"]));
    expect(message).toMatch(/^workflow document "order-item" has \d+ errors: [^\n]+$/);
    expect((await getVersion(db, "order-item"))!.version).toBe(4);

    await expect(deploy(db, "{not json")).rejects.toThrow(/the workflow document is not JSON/);
    await expect(deploy(db, 42)).rejects.toBeInstanceOf(DeployError);
  });

  it("accepts a document given as JSON text", async () => {
    expect(await deploy(db, JSON.stringify(examples["money-transfer"]))).toMatchObject({ name: "money-transfer", version: 1, created: true });
  });

  it("lists every workflow with its newest version", async () => {
    await deploy(db, examples["user-onboarding"]);
    await deploy(db, examples["monthly-statements"]);
    const list = await listWorkflows(db);
    expect(list.map((w) => [w.name, w.version, w.versions])).toEqual([
      ["money-transfer", 1, 1],
      ["monthly-statements", 1, 1],
      ["order-item", 4, 4],
      ["user-onboarding", 1, 1],
    ]);
    const order = list.find((w) => w.name === "order-item")!;
    expect(order).toMatchObject({ title: "Order item", hash: (await getVersion(db, "order-item"))!.hash });
    expect(typeof order.createdAt).toBe("number");
  });

  it("concurrent deploys of one name get distinct versions, and identical ones collapse", async () => {
    const docs = Array.from({ length: 6 }, (_, i) => retitled(examples["user-onboarding"]!, `Onboarding ${i % 3}`));
    const settled = await Promise.allSettled(docs.map((doc) => deploy(db, doc)));
    for (const r of settled) {
      expect(r.status).toBe("fulfilled");
    }
    const created = settled.flatMap((r) => (r.status === "fulfilled" && r.value.created ? [r.value] : []));
    // three distinct documents: a copy collapses onto the newest version when it is the same
    // document, and is stored again when another document got in between
    const versions = (await db.query<{ version: number }>("SELECT version FROM workflow_version WHERE name = ? ORDER BY version", ["user-onboarding"])).map(
      (r) => Number(r.version),
    );
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    expect(created.length).toBe(versions.length - 1);
    expect(versions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(created.map((r) => r.version)).size).toBe(created.length);
  }, 20_000);

  it("records a declared compatibility with an older version, and refuses one with a version that is not older", async () => {
    const item = (title: string) => ({ ...retitled(examples["order-item"]!, title), name: "compat-item" });
    await deploy(db, item("v1"));
    const v2 = await deploy(db, item("v2"), { compatibleWith: 1 });
    expect(v2).toMatchObject({ version: 2, created: true });
    const [row] = await db.query<{ compatible_with: number }>("SELECT compatible_with FROM workflow_version WHERE name = ? AND version = 2", ["compat-item"]);
    expect(Number(row!.compatible_with)).toBe(1);
    for (const compatibleWith of [3, 0, 1.5]) {
      await expect(deploy(db, item("v3"), { compatibleWith })).rejects.toThrow(DeployError);
    }
    await expect(deploy(db, item("v3"), { compatibleWith: 9 })).rejects.toThrow("compat-item has no version 9 to be compatible with: its versions are 1 to 2");
    // Nothing was stored by the refused deploys.
    expect((await getVersion(db, "compat-item"))!.version).toBe(2);
  });
});
