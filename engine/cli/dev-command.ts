// `weft dev`: everything a new user needs on one machine. For now it serves the app; the
// engine's worker and embedded database join it as they are built.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";

export async function devCommand(options: { port: string }): Promise<number> {
  const require = createRequire(import.meta.url);
  const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
  const child = spawn(process.execPath, [nextBin, "dev", "--port", options.port], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return await new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
}
