// The app's production build (.next/, made by `next build`) and whether it is newer than every
// source it is built from: `weft dev` serves it when it is, and builds it first when it is not
// (a fresh clone, or someone edited the app), so the first page answers fast.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the app's bundle is made of: its folders, and the files that configure the build. */
const SOURCES = ["app", "designer", "compiler", "public", "engine/views.ts", "engine/permissions.ts", "engine/facade.ts", "next.config.js", "package-lock.json", "tsconfig.json"];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** `root`: the project's folder (passed in: this file is also bundled into dist/cli/). */
export function appBuildIsFresh(root) {
  const buildId = join(root, ".next/BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.every((source) => newest(join(root, source)) <= built);
}
