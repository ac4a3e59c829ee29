// People, sign-in, sessions and tokens (engine/people.ts) on both databases, and who may do
// what (engine/permissions.ts). Hashes use a lower scrypt cost than production (N = 2^12) so
// that the rate-limit tests' dozens of failed sign-ins stay fast; one test checks the default.

import { afterAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { People } from "../../engine/people.ts";
import { hasRole, mayDecide, type Caller } from "../../engine/permissions.ts";
import { openDatabase, type Database } from "../../engine/storage/database.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("people");
afterAll(() => databases.cleanup());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe.each(["sqlite", "postgresql"] as const)("people on %s", (kind) => {
  let url: string;
  let db: Database;
  let clock: number;
  let people: People;

  beforeEach(async () => {
    url = databases.freshUrl(kind);
    db = await openDatabase({ url, prisma: false });
    clock = Date.UTC(2026, 11, 1, 9, 0, 0);
    people = new People(db, { now: () => clock, scryptN: 2 ** 12 });
  });
  afterEach(() => db.close());

  const secret = "correct horse battery";

  it("stores a scrypt hash, never the password, and returns a generated password once", async () => {
    const given = await new People(db).add({ name: "bea", roles: ["finance"], password: secret });
    expect(given).toEqual({ person: { name: "bea", displayName: "bea", roles: ["finance"], createdAt: expect.any(String), tokens: 0 } });
    const [row] = await db.query<{ password_hash: string }>("SELECT password_hash FROM person WHERE name = 'bea'");
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(row.password_hash).not.toContain(secret);

    const generated = await people.add({ name: "cal", displayName: "Cal Culus", roles: [] });
    expect(generated.password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const all = JSON.stringify(await db.query("SELECT * FROM person"));
    expect(all).not.toContain(generated.password);
    expect(JSON.stringify(await people.get("cal"))).not.toContain("scrypt");
    expect((await people.signIn("cal", generated.password!, "10.0.0.1")).caller).toEqual({ name: "cal", displayName: "Cal Culus", roles: [] });
  });

  it("refuses bad names, roles, display names and passwords naming the field, and a second person of a name", async () => {
    const bad = async (input: Parameters<People["add"]>[0], field: string) => {
      await expect(people.add(input)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(new RegExp(`^${field} `)), errors: [{ id: field }] });
    };
    await bad({ name: "Ada", roles: [] }, "name");
    await bad({ name: "1ada", roles: [] }, "name");
    await bad({ name: "a".repeat(65), roles: [] }, "name");
    await bad({ name: "ada", roles: ["Finance"] }, "roles");
    await bad({ name: "ada", roles: [""] }, "roles");
    await bad({ name: "ada", roles: [], password: "short" }, "password");
    await bad({ name: "ada", roles: [], displayName: "  " }, "displayName");
    expect(await people.count()).toBe(0);

    await people.add({ name: "a.d-a_1", roles: ["finance", "finance", "legal"], password: secret });
    await expect(people.add({ name: "a.d-a_1", roles: [], password: secret })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await people.get("a.d-a_1"))?.roles).toEqual(["finance", "legal"]);
    await expect(people.setPassword("a.d-a_1", "short")).rejects.toMatchObject({ code: "BAD_REQUEST", errors: [{ id: "password" }] });
  });

  it("lists people by name with their token counts; changes roles and display names", async () => {
    await people.add({ name: "zed", roles: ["operator"], password: secret });
    await people.add({ name: "amy", displayName: "Amy Pond", roles: ["designer"], password: secret });
    await people.createToken("zed", "ci");
    const revoked = await people.createToken("zed");
    await people.revokeToken(revoked.id);
    expect(await people.list()).toEqual([
      { name: "amy", displayName: "Amy Pond", roles: ["designer"], createdAt: new Date(clock).toISOString(), tokens: 0 },
      { name: "zed", displayName: "zed", roles: ["operator"], createdAt: new Date(clock).toISOString(), tokens: 1 },
    ]);
    await people.setRoles("amy", ["admin", "finance"]);
    await people.setDisplayName("amy", "  Amelia Pond ");
    expect(await people.get("amy")).toMatchObject({ displayName: "Amelia Pond", roles: ["admin", "finance"] });
    expect(await people.get("nobody")).toBeUndefined();
    await expect(people.setRoles("nobody", [])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(people.setDisplayName("nobody", "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(people.setPassword("nobody", secret)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await people.count()).toBe(2);
  });

  it("fails a wrong name and a wrong password alike, in message and in the scrypt time spent", async () => {
    const slow = new People(db, { scryptN: 2 ** 14 });
    await slow.add({ name: "ada", roles: ["designer"], password: secret });
    const attempt = async (name: string, password: string) => {
      const started = performance.now();
      const error = await slow.signIn(name, password, "10.0.0.1").then(
        () => undefined,
        (err) => err,
      );
      return { error: { code: error?.code, message: error?.message }, ms: performance.now() - started };
    };
    const wrongPassword = await attempt("ada", "not the password");
    const wrongName = await attempt("bob", secret);
    expect(wrongPassword.error).toEqual({ code: "UNAUTHORIZED", message: "wrong name or password" });
    expect(wrongName.error).toEqual(wrongPassword.error);
    // An unknown name hashes against a dummy: it takes the time of a hash (tens of ms at this
    // cost), not that of a lookup (about a ms). The machine is shared, so the two kinds of
    // attempt take turns and their medians are compared with a wide margin.
    const wrongNames: number[] = [];
    const wrongPasswords: number[] = [];
    const lookups: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrongNames.push((await attempt("bob", secret)).ms);
      wrongPasswords.push((await attempt("ada", "not the password")).ms);
      const started = performance.now();
      await slow.get("bob");
      lookups.push(performance.now() - started);
    }
    const median = (times: number[]) => times.sort((a, b) => a - b)[2];
    expect(median(wrongNames)).toBeGreaterThan(10 * median(lookups));
    expect(median(wrongNames)).toBeGreaterThan(0.25 * median(wrongPasswords));
  });

  it("signs in with a session only the caller holds; the session knows its caller until sign-out", async () => {
    await people.add({ name: "ada", displayName: "Ada Lovelace", roles: ["designer"], password: secret });
    const { caller, session, expiresAt } = await people.signIn("ada", secret, "10.0.0.1");
    expect(caller).toEqual({ name: "ada", displayName: "Ada Lovelace", roles: ["designer"] });
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe(clock + 7 * 24 * HOUR);
    const stored = JSON.stringify(await db.query("SELECT * FROM web_session"));
    expect(stored).not.toContain(session);
    expect(stored).toContain("10.0.0.1");

    expect(await people.callerForSession(session)).toEqual(caller);
    await people.setRoles("ada", ["designer", "operator"]);
    expect((await people.callerForSession(session))?.roles).toEqual(["designer", "operator"]);
    expect(await people.callerForSession(`${session}x`)).toBeUndefined();
    await people.signOut(session);
    expect(await people.callerForSession(session)).toBeUndefined();
  });

  it("rate-limits failed sign-ins per name: the tenth failure locks the name for 15 minutes; a success resets it", async () => {
    await people.add({ name: "ada", roles: [], password: secret });
    await people.add({ name: "bob", roles: [], password: secret });
    for (let i = 0; i < 9; i++) await expect(people.signIn("ada", "wrong password", `10.0.0.${i}`)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await people.signIn("ada", secret, "10.0.1.1"); // resets the name's count
    for (let i = 0; i < 10; i++) await expect(people.signIn("ada", "wrong password", `10.0.0.${i}`)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    clock += 5 * MINUTE;
    await expect(people.signIn("ada", secret, "10.0.2.1")).rejects.toMatchObject({
      code: "RATE_LIMITED",
      message: "too many failed sign-ins: try again in 10 minutes",
    });
    expect((await people.signIn("bob", secret, "10.0.0.1")).caller.name).toBe("bob"); // others are not locked out
    clock += 10 * MINUTE;
    expect((await people.signIn("ada", secret, "10.0.2.1")).caller.name).toBe("ada");
  });

  it("rate-limits failed sign-ins per address, whatever the names tried", async () => {
    await people.add({ name: "ada", roles: [], password: secret });
    for (let i = 0; i < 30; i++) await expect(people.signIn(`guess${i % 5}`, "wrong password", "192.0.2.7")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(people.signIn("ada", secret, "192.0.2.7")).rejects.toMatchObject({ code: "RATE_LIMITED", message: "too many failed sign-ins: try again in 15 minutes" });
    expect((await people.signIn("ada", secret, "192.0.2.8")).caller.name).toBe("ada");
    clock += 15 * MINUTE;
    expect((await people.signIn("ada", secret, "192.0.2.7")).caller.name).toBe("ada");
  });

  it("ends a session after 12 hours idle and 7 days after sign-in, and notes the last request at most once a minute", async () => {
    await people.add({ name: "ada", roles: [], password: secret });
    const lastSeen = async () => {
      const [row] = await db.query<{ last_seen_at: number }>("SELECT last_seen_at FROM web_session ORDER BY created_at DESC");
      return row?.last_seen_at;
    };
    const signedInAt = clock;
    const { session } = await people.signIn("ada", secret, "10.0.0.1");
    clock += 30_000;
    expect(await people.callerForSession(session)).toBeDefined();
    expect(await lastSeen()).toBe(signedInAt); // within the minute: not written
    // Active every 11 hours: the idle limit never strikes, the absolute one does.
    while (clock + 11 * HOUR < signedInAt + 7 * 24 * HOUR) {
      clock += 11 * HOUR;
      expect(await people.callerForSession(session)).toBeDefined();
      expect(await lastSeen()).toBe(clock);
    }
    clock = signedInAt + 7 * 24 * HOUR;
    expect(await people.callerForSession(session)).toBeUndefined();
    expect(await db.query("SELECT * FROM web_session")).toEqual([]);

    const idle = await people.signIn("ada", secret, "10.0.0.1");
    clock += 12 * HOUR - 1;
    expect(await people.callerForSession(idle.session)).toBeDefined();
    clock += 12 * HOUR;
    expect(await people.callerForSession(idle.session)).toBeUndefined();
  });

  it("a new password signs the person out everywhere; the old one no longer works", async () => {
    await people.add({ name: "ada", roles: [], password: secret });
    await people.add({ name: "bob", roles: [], password: secret });
    const laptop = await people.signIn("ada", secret, "10.0.0.1");
    const phone = await people.signIn("ada", secret, "10.0.0.2");
    const bob = await people.signIn("bob", secret, "10.0.0.3");
    await people.setPassword("ada", "a new passphrase");
    expect(await people.callerForSession(laptop.session)).toBeUndefined();
    expect(await people.callerForSession(phone.session)).toBeUndefined();
    expect(await people.callerForSession(bob.session)).toBeDefined();
    await expect(people.signIn("ada", secret, "10.0.0.1")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await people.signIn("ada", "a new passphrase", "10.0.0.1")).caller.name).toBe("ada");
  });

  it("bearer tokens: stored hashed, last use noted, refused once revoked", async () => {
    await people.add({ name: "ada", displayName: "Ada Lovelace", roles: ["operator"], password: secret });
    const { id, token } = await people.createToken("ada", "deploy script");
    expect(token).toMatch(/^weft_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await db.query("SELECT * FROM api_token"))).not.toContain(token.slice(5));
    expect(await people.listTokens()).toEqual([{ id, name: "ada", label: "deploy script", createdAt: new Date(clock).toISOString() }]);

    const createdAt = clock;
    clock += 5 * MINUTE;
    expect(await people.callerForToken(token)).toEqual({ name: "ada", displayName: "Ada Lovelace", roles: ["operator"] });
    expect((await people.listTokens("ada"))[0].lastUsedAt).toBe(new Date(createdAt + 5 * MINUTE).toISOString());
    clock += 30_000; // within the minute: not written again
    await people.callerForToken(token);
    expect((await people.listTokens("ada"))[0].lastUsedAt).toBe(new Date(createdAt + 5 * MINUTE).toISOString());
    clock += MINUTE;
    await people.callerForToken(token);
    expect((await people.listTokens("ada"))[0].lastUsedAt).toBe(new Date(clock).toISOString());

    expect(await people.callerForToken("weft_not-a-token")).toBeUndefined();
    expect(await people.callerForToken(token.slice(5))).toBeUndefined();
    await people.revokeToken(id);
    await people.revokeToken(id); // a second revoke changes nothing
    expect(await people.callerForToken(token)).toBeUndefined();
    expect(await people.listTokens()).toEqual([]);
    await expect(people.revokeToken("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(people.createToken("nobody")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("removing a person removes their sessions and tokens", async () => {
    await people.add({ name: "ada", roles: [], password: secret });
    const { session } = await people.signIn("ada", secret, "10.0.0.1");
    const { token } = await people.createToken("ada");
    await people.remove("ada");
    expect(await people.callerForSession(session)).toBeUndefined();
    expect(await people.callerForToken(token)).toBeUndefined();
    expect(await db.query("SELECT * FROM web_session")).toEqual([]);
    expect(await db.query("SELECT * FROM api_token")).toEqual([]);
    await expect(people.remove("ada")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("seeds the demo people once, with one password that signs each in", async () => {
    const seeded = await people.seedDemo();
    expect(seeded?.people).toEqual([
      { name: "ada", roles: ["designer"] },
      { name: "fin1", roles: ["finance"] },
      { name: "fin2", roles: ["finance"] },
      { name: "ops", roles: ["operator"] },
      { name: "admin", roles: ["admin"] },
    ]);
    expect((await people.get("ada"))?.displayName).toBe("Ada Lovelace");
    for (const { name } of seeded!.people) expect((await people.signIn(name, seeded!.password, "10.0.0.1")).caller.name).toBe(name);
    expect(await people.seedDemo()).toBeUndefined();
    expect(await people.count()).toBe(5);
  });

  it("seeds the demo people once when two processes try at the same moment", async () => {
    const other = await openDatabase({ url, prisma: false });
    try {
      const results = await Promise.all([people.seedDemo(), new People(other, { scryptN: 2 ** 12 }).seedDemo()]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(await people.count()).toBe(5);
    } finally {
      await other.close();
    }
  });

  it("the Prisma client reads the new tables as migrated", async () => {
    await people.add({ name: "ada", roles: ["designer"], password: secret });
    await people.signIn("ada", secret, "10.0.0.1");
    await people.createToken("ada", "ci");
    const withPrisma = await openDatabase({ url, migrate: false });
    try {
      const ada = await withPrisma.prisma.person.findUnique({ where: { name: "ada" }, include: { sessions: true, tokens: true } });
      expect(ada).toMatchObject({ name: "ada", roles: '["designer"]', sessions: [{ personName: "ada", address: "10.0.0.1" }], tokens: [{ label: "ci", revokedAt: null }] });
    } finally {
      await withPrisma.close();
    }
  });
});

describe("who may do what", () => {
  const person = (name: string, ...roles: string[]): Caller => ({ name, displayName: name, roles });

  it("admin holds every role's meaning", () => {
    expect(hasRole(person("a", "admin"), "designer")).toBe(true);
    expect(hasRole(person("a", "admin"), "operator")).toBe(true);
    expect(hasRole(person("d", "designer"), "designer")).toBe(true);
    expect(hasRole(person("d", "designer"), "operator")).toBe(false);
    expect(hasRole(person("f", "finance"), "admin")).toBe(false);
  });

  it("decides an approval when named or holding a named role; admin does not override the assignees", () => {
    expect(mayDecide(person("fin1", "finance"), ["finance"])).toBe(true);
    expect(mayDecide(person("bob"), ["legal", "bob"])).toBe(true);
    expect(mayDecide(person("ops", "operator"), ["finance"])).toBe(false);
    expect(mayDecide(person("admin", "admin"), ["finance"])).toBe(false);
    expect(mayDecide(person("ops", "operator"), [])).toBe(true);
    expect(mayDecide(person("admin", "admin"), [])).toBe(true);
    expect(mayDecide(person("fin1", "finance"), [])).toBe(false);
  });
});
