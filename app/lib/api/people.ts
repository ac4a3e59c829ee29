// People and their tokens: admins manage everyone; each person sees and manages their own tokens.

import { ApiError } from "../http.ts";
import { requireRole, type Caller } from "../auth.ts";
import { weft } from "../weft.ts";

export async function list(caller: Caller) {
  requireRole(caller, "admin");
  return weft().people.list();
}

export async function add(caller: Caller, person: { name: string; displayName?: string; roles: string[]; password?: string }) {
  requireRole(caller, "admin");
  const { person: added, password } = await weft().people.add(person);
  return { ...added, ...(password === undefined || person.password !== undefined ? {} : { password }) };
}

export async function change(caller: Caller, name: string, change: { displayName?: string; roles?: string[]; password?: string }) {
  // A person may change their own password and display name; roles and others are an admin's.
  const self = caller.name === name;
  if (!self || change.roles !== undefined) requireRole(caller, "admin");
  const people = weft().people;
  if (!(await people.get(name))) throw new ApiError("NOT_FOUND", `there is no person named "${name.slice(0, 60)}"`);
  if (change.roles !== undefined && self && !change.roles.includes("admin")) {
    throw new ApiError("CONFLICT", "you cannot take the admin role from yourself: ask another admin");
  }
  if (change.displayName !== undefined) await people.setDisplayName(name, change.displayName);
  if (change.roles !== undefined) await people.setRoles(name, change.roles);
  if (change.password !== undefined) await people.setPassword(name, change.password);
  return (await people.get(name))!;
}

export async function remove(caller: Caller, name: string) {
  requireRole(caller, "admin");
  if (caller.name === name) throw new ApiError("CONFLICT", "you cannot remove yourself: ask another admin");
  await weft().people.remove(name);
}

export async function tokens(caller: Caller, name: string) {
  if (caller.name !== name) requireRole(caller, "admin");
  return weft().people.listTokens(name);
}

export async function createToken(caller: Caller, name: string, label: string | undefined) {
  if (caller.name !== name) requireRole(caller, "admin");
  return weft().people.createToken(name, label);
}

export async function revokeToken(caller: Caller, id: string) {
  const owned = (await weft().people.listTokens(caller.name)).some((t) => t.id === id);
  if (!owned) requireRole(caller, "admin");
  await weft().people.revokeToken(id);
}
