// `weft user …` and `weft token …`: the people who sign in to the app, and bearer tokens for
// machine clients (DESIGN.md, "people, roles and sign-in"). Registered from main.ts; the
// database and engine/people.ts load only when one of these commands runs.
//
// A password comes from the first line of standard input when that is not a terminal (no
// confirmation line, so `printf '%s\n' "$PW" | weft user add bea` works in scripts); from a
// terminal, or from an input that is empty, one is generated and printed once, on the last line.

import type { Command } from "commander";
import type { People } from "../people.ts";
import { UserError } from "./user-error.ts";

interface Output {
  json?: boolean;
}

export function registerPeopleCommands(program: Command): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const json = "print one JSON document on stdout";

  const user = program.command("user").description("people who sign in to the app, and their roles");
  user
    .command("add")
    .description("add a person (password: the first line of standard input, else generated and printed once)")
    .argument("<name>", "the login: a-z, 0-9, '.', '_', '-', starting with a letter")
    .option("--role <role>", "a role: admin, designer, operator, or one named in approvals (repeatable)", collect)
    .option("--display-name <text>", "the name the app shows")
    .option("--json", json)
    .action(addCommand);
  user
    .command("list")
    .description("everyone, by name, with roles and token counts")
    .option("--json", json)
    .action(listCommand);
  user
    .command("passwd")
    .description("set a new password (standard input, else generated) and sign the person out everywhere")
    .argument("<name>")
    .option("--json", json)
    .action(passwdCommand);
  user
    .command("remove")
    .description("remove a person with their sessions and tokens")
    .argument("<name>")
    .option("--json", json)
    .action(removeCommand);
  user
    .command("roles")
    .description("replace a person's roles (none given: no roles)")
    .argument("<name>")
    .argument("[roles...]")
    .option("--json", json)
    .action(rolesCommand);

  const token = program.command("token").description("bearer tokens for machine clients (Authorization: Bearer …)");
  token
    .command("create")
    .description("create a token for a person; printed once, alone on the last line")
    .argument("<name>")
    .option("--label <text>", "what it is for")
    .option("--json", json)
    .action(tokenCreateCommand);
  token
    .command("list")
    .description("tokens not revoked, of one person or of everyone")
    .argument("[name]")
    .option("--json", json)
    .action(tokenListCommand);
  token
    .command("revoke")
    .description("revoke a token: it signs nobody in any more")
    .argument("<id>")
    .option("--json", json)
    .action(tokenRevokeCommand);
}

async function withPeople<T>(fn: (people: People) => Promise<T>): Promise<T> {
  const { openDatabase } = await import("../storage/database.ts");
  const { People } = await import("../people.ts");
  const { EngineError } = await import("../errors.ts");
  let db;
  try {
    db = await openDatabase({ prisma: false });
  } catch (err) {
    throw new UserError(`cannot open the database: ${(err as Error).message}`);
  }
  try {
    return await fn(new People(db));
  } catch (err) {
    if (err instanceof EngineError) throw new UserError(err.message, err.code, err.errors);
    throw err;
  } finally {
    await db.close();
  }
}

function print(value: unknown, options: Output, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** The first line of standard input when it is not a terminal; undefined from a terminal or an empty input. */
async function passwordFromStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  let text = "";
  let read = false;
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) {
    read = true;
    text += chunk;
    if (text.includes("\n")) break; // leaving the loop closes the stream: the rest is not ours
  }
  if (!read) return undefined;
  return text.split("\n")[0].replace(/\r$/, "");
}

async function addCommand(name: string, options: Output & { role?: string[]; displayName?: string }): Promise<void> {
  const password = await passwordFromStdin();
  await withPeople(async (people) => {
    const r = await people.add({ name, displayName: options.displayName, roles: options.role ?? [], password });
    print({ ...r.person, ...(r.password ? { password: r.password } : {}) }, options, () =>
      [`added ${r.person.name} (${r.person.displayName}), ${roleList(r.person.roles)}`, ...(r.password ? ["password, shown this once:", r.password] : [])].join("\n"),
    );
  });
}

async function listCommand(options: Output): Promise<void> {
  await withPeople(async (people) => {
    const list = await people.list();
    print(list, options, () =>
      list.length === 0
        ? "nobody yet: weft user add NAME --role ROLE"
        : table(
            ["NAME", "DISPLAY NAME", "ROLES", "TOKENS"],
            list.map((p) => [p.name, p.displayName, p.roles.join(",") || "-", String(p.tokens)]),
          ),
    );
  });
}

async function passwdCommand(name: string, options: Output): Promise<void> {
  const given = await passwordFromStdin();
  await withPeople(async (people) => {
    const { generatePassword } = await import("../people.ts");
    const password = given ?? generatePassword();
    await people.setPassword(name, password);
    print({ name, ...(given === undefined ? { password } : {}) }, options, () =>
      [`new password for ${name}; signed out everywhere`, ...(given === undefined ? ["password, shown this once:", password] : [])].join("\n"),
    );
  });
}

async function removeCommand(name: string, options: Output): Promise<void> {
  await withPeople(async (people) => {
    await people.remove(name);
    print({ name }, options, () => `removed ${name}, with their sessions and tokens`);
  });
}

async function rolesCommand(name: string, roles: string[], options: Output): Promise<void> {
  await withPeople(async (people) => {
    await people.setRoles(name, roles);
    const person = (await people.get(name))!;
    print({ name, roles: person.roles }, options, () => `${name}: ${roleList(person.roles)}`);
  });
}

async function tokenCreateCommand(name: string, options: Output & { label?: string }): Promise<void> {
  await withPeople(async (people) => {
    const r = await people.createToken(name, options.label);
    // The token alone on the last line, so a script takes it with `tail -n 1`.
    print(r, options, () => `token ${r.id} for ${name}${options.label ? ` (${options.label})` : ""}, shown this once:\n${r.token}`);
  });
}

async function tokenListCommand(name: string | undefined, options: Output): Promise<void> {
  await withPeople(async (people) => {
    const tokens = await people.listTokens(name);
    print(tokens, options, () =>
      tokens.length === 0
        ? "no tokens"
        : table(
            ["ID", "NAME", "LABEL", "CREATED", "LAST USED"],
            tokens.map((t) => [t.id, t.name, t.label || "-", t.createdAt, t.lastUsedAt ?? "never"]),
          ),
    );
  });
}

async function tokenRevokeCommand(id: string, options: Output): Promise<void> {
  await withPeople(async (people) => {
    await people.revokeToken(id);
    print({ id }, options, () => `revoked token ${id}`);
  });
}

function roleList(roles: string[]): string {
  return roles.length === 0 ? "no roles" : `roles: ${roles.join(", ")}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n");
}
