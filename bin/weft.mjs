#!/usr/bin/env node
// The `weft` command: TypeScript sources run through tsx, so a checkout works without a build.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../engine/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
