// `weft dev`: everything a new user needs on one machine, in one process: the embedded
// database (migrated on open), the four example workflows deployed, demo people to sign in
// with, a worker with the demo plugins, and the app on http://localhost:PORT (its production
// build, made first when missing or older than its sources; `--hot` serves it with hot reload).
// `--no-worker` leaves the worker out: runs move only while a `weft worker` runs elsewhere.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export async function devCommand(options: { port: string; hot?: boolean; worker?: boolean }): Promise<number> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const log = (line: string) => process.stderr.write(`weft dev: ${line}\n`);
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    const { UserError } = await import("./user-error.ts");
    throw new UserError(`--port takes a port number (0 to 65535), not "${options.port}"`);
  }
  const { appBuildIsFresh } = await import("../../scripts/app-build.mjs");
  const { buildApp, publishFacade, startAppServer } = await import("./app-server.ts");
  if (!options.hot && !appBuildIsFresh(root)) await buildApp(root, log);

  const { Engine } = await import("../engine.ts");
  const { Weft } = await import("../facade.ts");
  const { Worker } = await import("../worker/worker.ts");
  const { loadPlugins } = await import("../plugins.ts");

  const engine = await Engine.open();
  try {
    // Payload keys that may not write here (codec-keys.ts): refused before anything is set up,
    // so that no demo password is made and then never shown.
    await engine.ensureWritable();
  } catch (err) {
    await engine.close();
    throw err;
  }
  const where = engine.db.target.kind === "sqlite" ? engine.db.target.file : "PostgreSQL";
  log(`database ${where}`);
  const examples = path.join(root, "examples");
  for (const file of readdirSync(examples).filter((f) => f.endsWith(".json")).sort()) {
    const deployed = await engine.deploy(JSON.parse(readFileSync(path.join(examples, file), "utf8")));
    log(`${deployed.created ? "deployed" : "up to date:"} ${deployed.name} version ${deployed.version}`);
  }
  const weft = Weft.over(engine);
  const seeded = await weft.people.seedDemo();

  let worker: InstanceType<typeof Worker> | undefined;
  if (options.worker === false) {
    log("no worker here (--no-worker): runs move while a `weft worker` runs on this database");
  } else {
    const plugins = await loadPlugins([path.join(root, "plugins/demo.mjs")]);
    worker = new Worker(engine, plugins);
    await worker.start();
    log(`worker ${worker.id} running ${plugins.size} demo activities`);
  }

  publishFacade(weft);
  const app = await startAppServer({ root, port, dev: options.hot === true });
  const address = app.server.address();
  const url = `http://localhost:${typeof address === "object" && address ? address.port : port}`;
  if (seeded) {
    const width = Math.max(...seeded.people.map((p) => p.name.length));
    const lines = seeded.people.map((p) => `    ${p.name.padEnd(width)}  ${p.roles.join(", ")}`);
    process.stdout.write(
      `\nweft dev: demo people, each with the password ${seeded.password} (shown once; change it with \`weft user passwd NAME\`):\n${lines.join("\n")}\n\n`,
    );
  } else {
    log("sign in as one of the people of this database (`weft user list`; `weft user add NAME --role admin` adds one)");
  }
  log(`Weft is running on ${url}`);

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      log("stopping");
      // The worker first: its in-flight work is finished or released before anything else goes.
      app.server.close();
      await worker?.stop();
      publishFacade(undefined);
      await engine.close();
      // Next's dev server may not let go of its watchers: a stopped Weft must exit all the same.
      await Promise.race([app.close(), new Promise((r) => setTimeout(r, 2000).unref())]);
      setTimeout(() => process.exit(0), 1000).unref();
      resolve(0);
    };
    process.on("SIGINT", () => void stop());
    process.on("SIGTERM", () => void stop());
  });
}
