// Bundles the `weft` command into dist/cli/ so that commands scripts call in loops start in a
// fraction of the time tsx needs to load TypeScript sources. Packages stay external (they load
// from node_modules); code splitting keeps each subcommand's modules lazy.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist/cli");
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, "engine/cli/main.ts")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
  // import.meta.url is used to find migrations and the plugins relative to the sources.
  define: {},
});
