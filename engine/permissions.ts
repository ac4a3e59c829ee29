// Who may do what, as pure functions of the caller (DESIGN.md, "people, roles and sign-in").
// No imports and no state, so the app's route handlers, the facade and browser code (to hide a
// button the server would refuse anyway) can all ask the same question the same way.

/** Who calls: a signed-in person, or the person a bearer token belongs to. */
export interface Caller {
  name: string;
  displayName: string;
  roles: string[];
}

/** The roles that mean something to Weft itself; any other role exists to be named as an assignee. */
export type MeaningfulRole = "admin" | "designer" | "operator";

/**
 * Does the caller hold the role's meaning? `admin` holds every one of them (designer:
 * edit, deploy and export workflows; operator: start, signal, cancel, terminate, retry runs;
 * admin: all of that and people).
 */
export function hasRole(caller: Caller, role: MeaningfulRole): boolean {
  return caller.roles.includes(role) || caller.roles.includes("admin");
}

/**
 * May the caller decide an approval with these assignees? Named, or holding a role named
 * there. `admin` does not override a list of assignees: who decides is the drawing's word.
 * Only an approval that names nobody falls to anyone with `operator` (admin included).
 */
export function mayDecide(caller: Caller, assignees: readonly string[]): boolean {
  if (assignees.length === 0) return hasRole(caller, "operator");
  return assignees.includes(caller.name) || caller.roles.some((role) => assignees.includes(role));
}
