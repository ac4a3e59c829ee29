// People, their roles, browser sessions and bearer tokens (DESIGN.md, "people, roles and
// sign-in"), on node:crypto alone. What is stored can sign nobody in: passwords as scrypt
// hashes, sessions and tokens as the sha256 of a 256-bit random secret (a secret that random
// needs no slow hash, and a fast one lets every request be checked with one indexed read).
// Sessions live in the database, not in the cookie, so that signing out and a password change
// end them at once.

import { createHash, randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { EngineError, isUniqueViolation } from "./errors.ts";
import type { Caller } from "./permissions.ts";
import type { Database } from "./storage/types.ts";

export type { Caller };

export interface PersonView {
  name: string;
  displayName: string;
  roles: string[];
  /** ISO 8601 */
  createdAt: string;
  /** tokens not revoked */
  tokens: number;
}

export interface TokenView {
  id: string;
  /** the person it signs in */
  name: string;
  label: string;
  createdAt: string;
  lastUsedAt?: string;
}

export interface PeopleOptions {
  /** The clock, for tests of expiry and rate limits (default Date.now). */
  now?: () => number;
  /** scrypt's cost N for new hashes (default 2^15, 32 MiB and ~150 ms a hash); tests use less. */
  scryptN?: number;
}

const MINUTE = 60_000;
// A session ends after 12 hours without a request, and 7 days after sign-in whatever happens:
// a forgotten browser on a shared machine stays open for a working day at most, and nobody
// stays signed in forever on a stolen cookie.
const SESSION_IDLE_MS = 12 * 60 * MINUTE;
const SESSION_MAX_MS = 7 * 24 * 60 * MINUTE;
// last_seen_at / last_used_at are written at most once a minute: a write per request would
// turn every read of the app into a database write.
const TOUCH_EVERY_MS = MINUTE;
// Failed sign-ins counted per name (guessing one person's password) and per address
// (trying many names from one place), in memory: one process serves the app.
const FAILURE_WINDOW_MS = 15 * MINUTE;
const MAX_FAILURES_PER_NAME = 10;
const MAX_FAILURES_PER_ADDRESS = 30;

const NAME = /^[a-z][a-z0-9._-]*$/;
const MAX_NAME = 64;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;
const MAX_TEXT = 200;

const DEMO_PEOPLE = [
  { name: "ada", displayName: "Ada Lovelace", roles: ["designer"] },
  { name: "fin1", displayName: "Finn One", roles: ["finance"] },
  { name: "fin2", displayName: "Fiona Two", roles: ["finance"] },
  { name: "ops", displayName: "Otto Operator", roles: ["operator"] },
  { name: "admin", displayName: "Alex Admin", roles: ["admin"] },
];

type PersonRow = { name: string; display_name: string; roles: string; created_at: number; tokens: number };

export class People {
  private readonly now: () => number;
  private readonly scryptN: number;
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly db: Database,
    options: PeopleOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.scryptN = options.scryptN ?? 2 ** 15;
  }

  async add(input: { name: string; displayName?: string; roles: string[]; password?: string }): Promise<{ person: PersonView; password?: string }> {
    checkName(input.name);
    const displayName = checkDisplayName(input.displayName ?? input.name);
    const roles = checkRoles(input.roles);
    const generated = input.password === undefined ? generatePassword() : undefined;
    const hash = await this.hash(input.password === undefined ? generated! : checkPassword(input.password));
    const at = this.now();
    try {
      await this.db.execute(
        "INSERT INTO person (name, display_name, roles, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        [input.name, displayName, JSON.stringify(roles), hash, at, at],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new EngineError("CONFLICT", `a person named "${input.name}" exists already`);
      throw err;
    }
    const person = { name: input.name, displayName, roles, createdAt: new Date(at).toISOString(), tokens: 0 };
    return generated === undefined ? { person } : { person, password: generated };
  }

  async list(): Promise<PersonView[]> {
    return (await this.db.query<PersonRow>(`${SELECT_PEOPLE} ORDER BY p.name`)).map(personView);
  }

  async get(name: string): Promise<PersonView | undefined> {
    const [row] = await this.db.query<PersonRow>(`${SELECT_PEOPLE} WHERE p.name = ?`, [name]);
    return row && personView(row);
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM person");
    return Number(row.n);
  }

  async setRoles(name: string, roles: string[]): Promise<void> {
    await this.update(name, "roles = ?", JSON.stringify(checkRoles(roles)));
  }

  async setDisplayName(name: string, displayName: string): Promise<void> {
    await this.update(name, "display_name = ?", checkDisplayName(displayName));
  }

  /** Sets a new password and signs the person out everywhere (their tokens stay). */
  async setPassword(name: string, password: string): Promise<void> {
    const hash = await this.hash(checkPassword(password));
    await this.db.transaction(async (tx) => {
      const changed = await tx.execute("UPDATE person SET password_hash = ?, updated_at = ? WHERE name = ?", [hash, this.now(), name]);
      if (changed === 0) throw notFound(name);
      await tx.execute("DELETE FROM web_session WHERE person_name = ?", [name]);
    });
  }

  /** Removes the person with their sessions and tokens (the foreign keys cascade too). */
  async remove(name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute("DELETE FROM web_session WHERE person_name = ?", [name]);
      await tx.execute("DELETE FROM api_token WHERE person_name = ?", [name]);
      if ((await tx.execute("DELETE FROM person WHERE name = ?", [name])) === 0) throw notFound(name);
    });
  }

  /**
   * Signs in: a new session, whose value only the caller ever sees (we keep its sha256). A
   * wrong name and a wrong password fail alike, in message and in time (an unknown name is
   * checked against a dummy hash), so a stranger cannot learn who has an account.
   */
  async signIn(name: string, password: string, address: string): Promise<{ caller: Caller; session: string; expiresAt: number }> {
    const at = this.now();
    this.refuseWhenLimited(`name:${name}`, MAX_FAILURES_PER_NAME, at);
    this.refuseWhenLimited(`address:${address}`, MAX_FAILURES_PER_ADDRESS, at);
    const [row] = await this.db.query<{ name: string; display_name: string; roles: string; password_hash: string }>(
      "SELECT name, display_name, roles, password_hash FROM person WHERE name = ?",
      [name],
    );
    const matches = await verifyPassword(password, row?.password_hash ?? this.dummy());
    if (!row || !matches) {
      this.fail(`name:${name}`, at);
      this.fail(`address:${address}`, at);
      throw new EngineError("UNAUTHORIZED", "wrong name or password");
    }
    this.failures.delete(`name:${name}`);
    const session = randomBytes(32).toString("base64url");
    const expiresAt = at + SESSION_MAX_MS;
    // Ended sessions are swept here, the one place sessions are created, so none pile up.
    await this.db.execute("DELETE FROM web_session WHERE expires_at <= ? OR last_seen_at <= ?", [at, at - SESSION_IDLE_MS]);
    await this.db.execute(
      "INSERT INTO web_session (id_hash, person_name, created_at, expires_at, last_seen_at, address) VALUES (?, ?, ?, ?, ?, ?)",
      [sha256(session), row.name, at, expiresAt, at, address],
    );
    return { caller: caller(row), session, expiresAt };
  }

  async callerForSession(session: string): Promise<Caller | undefined> {
    const idHash = sha256(session);
    const [row] = await this.db.query<{ name: string; display_name: string; roles: string; expires_at: number; last_seen_at: number }>(
      "SELECT p.name, p.display_name, p.roles, s.expires_at, s.last_seen_at FROM web_session s JOIN person p ON p.name = s.person_name WHERE s.id_hash = ?",
      [idHash],
    );
    if (!row) return undefined;
    const at = this.now();
    if (at >= row.expires_at || at >= row.last_seen_at + SESSION_IDLE_MS) {
      await this.db.execute("DELETE FROM web_session WHERE id_hash = ?", [idHash]);
      return undefined;
    }
    if (at - row.last_seen_at >= TOUCH_EVERY_MS) await this.db.execute("UPDATE web_session SET last_seen_at = ? WHERE id_hash = ?", [at, idHash]);
    return caller(row);
  }

  async signOut(session: string): Promise<void> {
    await this.db.execute("DELETE FROM web_session WHERE id_hash = ?", [sha256(session)]);
  }

  /** A bearer token for the person, returned this once; only its sha256 is stored. */
  async createToken(name: string, label = ""): Promise<{ id: string; token: string }> {
    if (label.length > MAX_TEXT) throw badRequest("label", `is at most ${MAX_TEXT} characters`);
    const id = randomBytes(6).toString("hex");
    const token = `weft_${randomBytes(32).toString("base64url")}`;
    const [person] = await this.db.query("SELECT name FROM person WHERE name = ?", [name]);
    if (!person) throw notFound(name);
    // A person removed between the two statements fails on the foreign key, which is as good.
    await this.db.execute("INSERT INTO api_token (id, person_name, label, token_hash, created_at) VALUES (?, ?, ?, ?, ?)", [
      id,
      name,
      label,
      sha256(token),
      this.now(),
    ]);
    return { id, token };
  }

  /** Tokens not revoked, of one person or of everyone, oldest first. */
  async listTokens(name?: string): Promise<TokenView[]> {
    const rows = await this.db.query<{ id: string; person_name: string; label: string; created_at: number; last_used_at: number | null }>(
      `SELECT id, person_name, label, created_at, last_used_at FROM api_token WHERE revoked_at IS NULL${name === undefined ? "" : " AND person_name = ?"} ORDER BY created_at, id`,
      name === undefined ? [] : [name],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.person_name,
      label: r.label,
      createdAt: new Date(r.created_at).toISOString(),
      ...(r.last_used_at === null ? {} : { lastUsedAt: new Date(r.last_used_at).toISOString() }),
    }));
  }

  /** Revokes a token (kept, marked revoked, so the record of it stays); a second revoke changes nothing. */
  async revokeToken(id: string): Promise<void> {
    const [row] = await this.db.query("SELECT id FROM api_token WHERE id = ?", [id]);
    if (!row) throw new EngineError("NOT_FOUND", `no token with id "${id}"`);
    await this.db.execute("UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [this.now(), id]);
  }

  async callerForToken(token: string): Promise<Caller | undefined> {
    if (!token.startsWith("weft_")) return undefined;
    const [row] = await this.db.query<{ id: string; last_used_at: number | null; name: string; display_name: string; roles: string }>(
      "SELECT t.id, t.last_used_at, p.name, p.display_name, p.roles FROM api_token t JOIN person p ON p.name = t.person_name WHERE t.token_hash = ? AND t.revoked_at IS NULL",
      [sha256(token)],
    );
    if (!row) return undefined;
    const at = this.now();
    if (row.last_used_at === null || at - row.last_used_at >= TOUCH_EVERY_MS) await this.db.execute("UPDATE api_token SET last_used_at = ? WHERE id = ?", [at, row.id]);
    return caller(row);
  }

  /**
   * The demo people, created when nobody exists yet, all with one generated password (returned
   * this once). Two processes starting at once: the insert runs in one transaction that checks
   * again that nobody exists, and a loser of the race (PostgreSQL lets both see an empty
   * table) fails on the primary key and rolls back whole: undefined, as if people existed.
   */
  async seedDemo(): Promise<{ password: string; people: { name: string; roles: string[] }[] } | undefined> {
    if ((await this.count()) > 0) return undefined;
    const password = generatePassword();
    // A salt and hash per person, computed before the transaction (scrypt is slow).
    const hashes = await Promise.all(DEMO_PEOPLE.map(() => this.hash(password)));
    const at = this.now();
    try {
      const created = await this.db.transaction(async (tx) => {
        const [row] = await tx.query<{ n: number }>("SELECT COUNT(*) AS n FROM person");
        if (Number(row.n) > 0) return false;
        for (const [i, p] of DEMO_PEOPLE.entries()) {
          await tx.execute(
            "INSERT INTO person (name, display_name, roles, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [p.name, p.displayName, JSON.stringify(p.roles), hashes[i], at, at],
          );
        }
        return true;
      });
      if (!created) return undefined;
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return { password, people: DEMO_PEOPLE.map((p) => ({ name: p.name, roles: [...p.roles] })) };
  }

  private async update(name: string, assignment: string, value: string): Promise<void> {
    const changed = await this.db.execute(`UPDATE person SET ${assignment}, updated_at = ? WHERE name = ?`, [value, this.now(), name]);
    if (changed === 0) throw notFound(name);
  }

  private hash(password: string): Promise<string> {
    return hashPassword(password, this.scryptN);
  }

  /**
   * A hash with today's parameters that no password matches (its key is random bytes), so
   * that checking an unknown name costs the scrypt time a known one does.
   */
  private dummy(): string {
    return `scrypt$${this.scryptN}$8$1$${randomBytes(16).toString("base64")}$${randomBytes(32).toString("base64")}`;
  }

  private refuseWhenLimited(key: string, max: number, at: number): void {
    const recent = (this.failures.get(key) ?? []).filter((t) => t > at - FAILURE_WINDOW_MS);
    if (recent.length < max) return;
    // Free again when the oldest failure that still counts leaves the window.
    const minutes = Math.max(1, Math.ceil((recent[recent.length - max] + FAILURE_WINDOW_MS - at) / MINUTE));
    throw new EngineError("RATE_LIMITED", `too many failed sign-ins: try again in ${minutes} minute${minutes === 1 ? "" : "s"}`);
  }

  private fail(key: string, at: number): void {
    const recent = (this.failures.get(key) ?? []).filter((t) => t > at - FAILURE_WINDOW_MS);
    recent.push(at);
    this.failures.set(key, recent.slice(-MAX_FAILURES_PER_ADDRESS));
    // Keys nobody has failed with lately go, so a stream of made-up names cannot grow the map forever.
    if (this.failures.size > 10_000) {
      for (const [k, times] of this.failures) if (times[times.length - 1] <= at - FAILURE_WINDOW_MS) this.failures.delete(k);
    }
  }
}

const SELECT_PEOPLE =
  "SELECT p.name, p.display_name, p.roles, p.created_at, (SELECT COUNT(*) FROM api_token t WHERE t.person_name = p.name AND t.revoked_at IS NULL) AS tokens FROM person p";

function personView(row: PersonRow): PersonView {
  return { name: row.name, displayName: row.display_name, roles: JSON.parse(row.roles), createdAt: new Date(row.created_at).toISOString(), tokens: Number(row.tokens) };
}

function caller(row: { name: string; display_name: string; roles: string }): Caller {
  return { name: row.name, displayName: row.display_name, roles: JSON.parse(row.roles) };
}

function sha256(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

// ---- passwords

function scrypt(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  // Asynchronous, so a sign-in does not stall the server's other requests for its ~150 ms.
  return new Promise((resolve, reject) => scryptCallback(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash, so raising N later keeps old hashes valid. */
export async function hashPassword(password: string, N = 2 ** 15, r = 8, p = 1): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r });
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || hash === undefined) return false;
  const expected = Buffer.from(hash, "base64");
  const N = Number(n);
  const key = await scrypt(password, Buffer.from(salt, "base64"), expected.length, { N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) });
  return timingSafeEqual(key, expected);
}

/** A password a person can read out and type: four groups of five, no look-alikes (about 99 bits). */
export function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const group = () => Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return [group(), group(), group(), group()].join("-");
}

// ---- checks: a bad field is a BAD_REQUEST naming it

function badRequest(field: string, message: string): EngineError {
  return new EngineError("BAD_REQUEST", `${field} ${message}`, [{ id: field, message }]);
}

function notFound(name: string): EngineError {
  return new EngineError("NOT_FOUND", `no person named "${name}"`);
}

function checkName(name: unknown): void {
  if (typeof name !== "string" || !NAME.test(name) || name.length > MAX_NAME) {
    throw badRequest("name", `must be 1 to ${MAX_NAME} characters of a-z, 0-9, ".", "_" and "-", starting with a letter`);
  }
}

function checkRoles(roles: unknown): string[] {
  if (!Array.isArray(roles)) throw badRequest("roles", "must be a list of role names");
  for (const role of roles) {
    if (typeof role !== "string" || !NAME.test(role) || role.length > MAX_NAME) {
      throw badRequest("roles", `has ${JSON.stringify(role)}, which is not a role name: 1 to ${MAX_NAME} characters of a-z, 0-9, ".", "_" and "-", starting with a letter`);
    }
  }
  return [...new Set(roles as string[])];
}

function checkDisplayName(text: unknown): string {
  const trimmed = typeof text === "string" ? text.trim() : "";
  // eslint-disable-next-line no-control-regex
  if (trimmed.length === 0 || trimmed.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw badRequest("displayName", `must be 1 to ${MAX_TEXT} characters, with no control characters`);
  }
  return trimmed;
}

function checkPassword(password: unknown): string {
  if (typeof password !== "string" || password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    throw badRequest("password", `must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
  }
  return password;
}
