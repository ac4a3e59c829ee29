// `weft compile` as a user runs it: a real process, real files.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const examples = path.resolve(root, "../shared/examples");
const run = promisify(execFile);

async function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, "bin/weft.mjs"), ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const broken = {
  name: "broken",
  nodes: [
    { id: "start", type: "start" },
    { id: "charge", type: "step", activity: "payments..charge", timeout: "10 sec" },
    { id: "done", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "charge" },
    { id: "e2", source: "charge", target: "nowhere" },
  ],
};

describe("weft compile", () => {
  it("prints the weft module of a document on stdout", async () => {
    const r = await weft("compile", path.join(examples, "order-item.json"));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(root, "test/golden/order-item.weft.ts"), "utf8"));
  });

  it("writes the Temporal module to a file with -o and --target temporal", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "weft-")), "transfer.ts");
    const r = await weft("compile", path.join(examples, "money-transfer.json"), "-o", out, "--target", "temporal");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toBe(readFileSync(path.join(root, "test/golden/money-transfer.temporal.ts"), "utf8"));
  });

  it("prints one ERROR line per problem, naming the node or edge, exits 1 and writes nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "weft-"));
    const doc = path.join(dir, "broken.json");
    const out = path.join(dir, "broken.ts");
    writeFileSync(doc, JSON.stringify(broken));
    const r = await weft("compile", doc, "-o", out);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    const lines = r.stderr.trim().split("\n");
    expect(lines.every((l) => l.startsWith("ERROR "))).toBe(true);
    const ids = lines.map((l) => l.split(" ")[1]);
    expect(ids).toEqual(expect.arrayContaining(["charge", "e2", "done"]));
    expect(r.stderr).toMatch(/ERROR charge activity: /);
    expect(r.stderr).toMatch(/ERROR charge timeout: /);
    expect(r.stderr).toMatch(/ERROR e2 points at "nowhere"/);
    expect(r.stderr).toMatch(/ERROR done cannot be reached from start/);
  });

  it("reports a file that is missing or not JSON in one line", async () => {
    const missing = await weft("compile", "/no/such/file.json");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/cannot read \/no\/such\/file.json/);
    const doc = path.join(mkdtempSync(path.join(tmpdir(), "weft-")), "x.json");
    writeFileSync(doc, "{ not json");
    const bad = await weft("compile", doc);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not JSON/);
  });

  it("refuses an unknown target", async () => {
    const r = await weft("compile", path.join(examples, "order-item.json"), "--target", "airflow");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown target "airflow"/);
  });

  it("with --json and a document with errors, prints only the JSON error document (deploy --json's shape) and exits 1", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "weft-"));
    const doc = path.join(dir, "broken.json");
    writeFileSync(doc, JSON.stringify(broken));
    const r = await weft("compile", doc, "--json");
    expect(r.code).toBe(1);
    // One document on stdout, on one line; no ERROR lines anywhere, one line of reason on stderr.
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const { error, ...rest } = JSON.parse(r.stdout);
    expect(rest).toEqual({});
    expect(error).toMatchObject({ code: "INVALID", message: expect.stringMatching(/^workflow document "broken" has \d+ errors: /) });
    expect(error.errors.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining(["charge", "e2", "done"]));
    expect(error.errors).toContainEqual({ id: "charge", message: expect.stringMatching(/^timeout: /) });
    expect(Object.keys(error).sort()).toEqual(["code", "errors", "message"]);
    expect(r.stderr).not.toMatch(/^ERROR /m);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^weft: workflow document "broken" has \d+ errors: /);
  });

  it("prints one JSON document with --json", async () => {
    const r = await weft("compile", path.join(examples, "order-item.json"), "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, name: "order-item", target: "weft" });
    expect(doc.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
