// The `weft` command's bundle (dist/cli, built by scripts/build-cli.mjs) and whether it is
// newer than every source it is built from. bin/weft.mjs runs the sources through tsx when it
// is not; the benchmark rebuilds it before it times the command.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CLI_BUNDLE = join(root, "dist/cli/main.js");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function cliBundleIsFresh() {
  if (!existsSync(CLI_BUNDLE)) return false;
  const built = statSync(CLI_BUNDLE).mtimeMs;
  return ["engine", "compiler"].every((dir) => newestSource(join(root, dir)) <= built);
}
