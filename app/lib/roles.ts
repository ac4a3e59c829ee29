// Who may do what, as the pages ask it to hide a control the server would refuse anyway (the
// server decides for itself: app/lib/auth.ts requireRole). engine/permissions.ts says the same,
// but app/ may import only its types.
import type { Caller } from "../../engine/permissions.ts";

/** Start, signal, cancel, terminate and retry runs: operators and admins. */
export const mayOperate = (caller: Pick<Caller, "roles">) => caller.roles.includes("operator") || caller.roles.includes("admin");

/** Edit, deploy and restore workflows: designers and admins. */
export const mayDesign = (caller: Pick<Caller, "roles">) => caller.roles.includes("designer") || caller.roles.includes("admin");
