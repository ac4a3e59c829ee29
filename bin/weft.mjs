#!/usr/bin/env node
// The `weft` command. It runs the bundle in dist/cli/ (built by `npm install`), which starts
// fast; when the sources are newer than the bundle (someone is editing them) or there is no
// bundle, it runs the TypeScript sources through tsx instead.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist/cli/main.js");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.WEFT_FROM_SOURCE === "1" || !existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return ["engine", "compiler"].every((dir) => newestSource(join(root, dir)) <= built);
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../engine/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
