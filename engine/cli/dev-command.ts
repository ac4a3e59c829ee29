// `weft dev`: everything a new user needs on one machine: the embedded database (migrated on
// open), the four example workflows deployed, a worker with the demo plugins, and the app.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export async function devCommand(options: { port: string; app?: boolean }): Promise<number> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const { Engine } = await import("../engine.ts");
  const { Worker } = await import("../worker/worker.ts");
  const { loadPlugins } = await import("../plugins.ts");

  const engine = await Engine.open();
  const where = engine.db.target.kind === "sqlite" ? engine.db.target.file : "PostgreSQL";
  process.stderr.write(`weft dev: database ${where}\n`);
  const examples = path.join(root, "examples");
  for (const file of readdirSync(examples).filter((f) => f.endsWith(".json")).sort()) {
    const deployed = await engine.deploy(JSON.parse(readFileSync(path.join(examples, file), "utf8")));
    process.stderr.write(`weft dev: ${deployed.created ? "deployed" : "up to date:"} ${deployed.name} version ${deployed.version}\n`);
  }
  const plugins = await loadPlugins([path.join(root, "plugins/demo.mjs")]);
  const worker = new Worker(engine, plugins);
  await worker.start();
  process.stderr.write(`weft dev: worker ${worker.id} running ${plugins.size} demo activities\n`);

  const require = createRequire(import.meta.url);
  const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
  const app = spawn(process.execPath, [nextBin, "dev", "--port", options.port], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  process.stderr.write(`weft dev: the app is starting on http://localhost:${options.port}\n`);

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      app.kill("SIGTERM");
      await worker.stop();
      await engine.close();
      resolve(code);
    };
    process.on("SIGINT", () => void stop(0));
    process.on("SIGTERM", () => void stop(0));
    app.on("exit", (code) => void stop(code ?? 0));
  });
}
