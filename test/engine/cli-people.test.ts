// `weft user …` and `weft token …` through the real `weft` binary, as an admin's script uses
// them: a password on standard input, JSON lists, a token alone on the last line, revocation;
// what the commands wrote is checked through engine/people.ts on the same database.

import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { People } from "../../engine/people.ts";
import { openDatabase, type Database } from "../../engine/storage/database.ts";
import { freshDatabases } from "./fresh-databases.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const databases = freshDatabases("cli-people");
let env: NodeJS.ProcessEnv;
let db: Database;
let people: People;

/** Runs `weft …` with `stdin` as its standard input (closed at once when none is given). */
function weft(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "bin/weft.mjs"), ...args], { cwd: root, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  const url = databases.freshUrl("sqlite");
  env = { ...process.env, DATABASE_URL: url };
  db = await openDatabase({ url, prisma: false });
  people = new People(db);
}, 60_000);

afterAll(async () => {
  await db?.close();
  await databases.cleanup();
});

describe("weft user and weft token", () => {
  it("user add takes the password from the first line of standard input, with no confirmation", async () => {
    const r = await weft(["user", "add", "bea", "--role", "finance", "--role", "legal", "--display-name", "Bea Ah"], "first line pass\nsecond line\n");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe("added bea (Bea Ah), roles: finance, legal\n");
    expect((await people.signIn("bea", "first line pass", "127.0.0.1")).caller).toEqual({ name: "bea", displayName: "Bea Ah", roles: ["finance", "legal"] });
  });

  it("user add with nothing on standard input generates a password and prints it once, on the last line", async () => {
    const r = await weft(["user", "add", "cal", "--role", "operator"]);
    expect(r.code).toBe(0);
    const password = r.stdout.trim().split("\n").at(-1)!;
    expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect((await people.signIn("cal", password, "127.0.0.1")).caller.name).toBe("cal");
  });

  it("user list --json lists everyone by name; user roles replaces the roles", async () => {
    expect((await weft(["user", "roles", "cal", "operator", "designer"])).stdout).toBe("cal: roles: operator, designer\n");
    const r = await weft(["user", "list", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { name: "bea", displayName: "Bea Ah", roles: ["finance", "legal"], createdAt: expect.any(String), tokens: 0 },
      { name: "cal", displayName: "cal", roles: ["operator", "designer"], createdAt: expect.any(String), tokens: 0 },
    ]);
  });

  it("user errors: exit 1 with one line, and a JSON error document with --json", async () => {
    const dup = await weft(["user", "add", "bea"], "another pass\n");
    expect(dup).toMatchObject({ code: 1, stdout: "", stderr: 'weft: a person named "bea" exists already\n' });
    const bad = await weft(["user", "add", "Bea", "--json"], "another pass\n");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: "BAD_REQUEST", errors: [{ id: "name" }] } });
    const short = await weft(["user", "passwd", "bea"], "short\n");
    expect(short).toMatchObject({ code: 1, stderr: expect.stringMatching(/^weft: password must be 8 /) });
    expect((await weft(["user", "remove", "nobody"])).stderr).toBe('weft: no person named "nobody"\n');
  });

  it("token create prints the token alone on the last line; the token signs its person in until revoked", async () => {
    const r = await weft(["token", "create", "cal", "--label", "deploy script"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const token = lines.at(-1)!;
    expect(token).toMatch(/^weft_[A-Za-z0-9_-]{43}$/);
    expect((await people.callerForToken(token))?.name).toBe("cal");

    const json = await weft(["token", "create", "cal", "--json"]);
    const created = JSON.parse(json.stdout) as { id: string; token: string };
    expect(created.token).toMatch(/^weft_/);

    const list = JSON.parse((await weft(["token", "list", "cal", "--json"])).stdout) as { id: string; label: string; lastUsedAt?: string }[];
    expect(list).toHaveLength(2);
    const labelled = list.find((t) => t.label === "deploy script")!;
    expect(labelled.lastUsedAt).toEqual(expect.any(String));
    expect(lines[0]).toContain(labelled.id);

    const revoked = await weft(["token", "revoke", labelled.id]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked token ${labelled.id}\n` });
    expect(await people.callerForToken(token)).toBeUndefined();
    expect(await people.callerForToken(created.token)).toBeDefined();
    expect(JSON.parse((await weft(["token", "list", "--json"])).stdout).map((t: { id: string }) => t.id)).toEqual([created.id]);
    expect(await weft(["token", "revoke", "nope", "--json"])).toMatchObject({ code: 1, stdout: expect.stringContaining('"NOT_FOUND"') });
  });

  it("user passwd signs the person out everywhere; user remove takes their tokens with them", async () => {
    const { session } = await people.signIn("bea", "first line pass", "127.0.0.1");
    expect((await weft(["user", "passwd", "bea"], "a new passphrase\n")).code).toBe(0);
    expect(await people.callerForSession(session)).toBeUndefined();
    expect((await people.signIn("bea", "a new passphrase", "127.0.0.1")).caller.name).toBe("bea");

    expect((await weft(["user", "remove", "cal"])).code).toBe(0);
    expect(await people.listTokens()).toEqual([]);
    expect((await weft(["user", "list", "--json"])).stdout).not.toContain('"cal"');
  });
});
