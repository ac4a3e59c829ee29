// The one way into the engine: the `Weft` facade that `weft dev` created in this process and
// published on globalThis before the Next.js server took its first request. Only its type is
// imported here, so the bundler never sees the engine (its database drivers, sandbox, Prisma).

import type { Weft } from "../../engine/facade.ts";
import { ApiError } from "./http.ts";

const KEY = Symbol.for("weft.facade");

export function weft(): Weft {
  const facade = (globalThis as Record<symbol, unknown>)[KEY] as Weft | undefined;
  if (!facade) throw new ApiError("UNAVAILABLE", "Weft's engine is not running in this server: start the app with `npm start` (weft dev)");
  return facade;
}
