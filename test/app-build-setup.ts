// Vitest global set-up: the API and browser tests start `weft dev`, which serves the app's
// production build; build it once here when it is missing or stale, so that test files
// started in parallel never build it at the same time.

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { appBuildIsFresh } from "../scripts/app-build.mjs";

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  // A run filtered to other tests (`vitest run test/engine/x.test.ts`) needs no app.
  const filters = process.argv.slice(2).filter((a) => !a.startsWith("-") && !["run", "watch"].includes(a) && !a.includes("vitest"));
  if (filters.length > 0 && !filters.some((f) => /(^|\/)test\/(app|e2e)(\/|$)|^(app|e2e)$/.test(f))) return;
  if (appBuildIsFresh(root)) return;
  const nextBin = path.join(path.dirname(createRequire(import.meta.url).resolve("next/package.json")), "dist/bin/next");
  const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (built.status !== 0) throw new Error("next build failed: the app's tests cannot run");
}
