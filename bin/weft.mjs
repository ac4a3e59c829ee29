#!/usr/bin/env node
// The `weft` command. It runs the bundle in dist/cli/ (built by `npm install`), which starts
// fast; when the sources are newer than the bundle (someone is editing them) or there is no
// bundle, it runs the TypeScript sources through tsx instead.
import { CLI_BUNDLE, cliBundleIsFresh } from "../scripts/cli-bundle.mjs";

let main;
if (process.env.WEFT_FROM_SOURCE !== "1" && cliBundleIsFresh()) {
  ({ main } = await import(CLI_BUNDLE));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../engine/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
