// The app's HTTP server, in the process that holds the engine: Next.js as a library (a custom
// server) whose route handlers reach the engine through the `Weft` facade published on
// globalThis. One process, no bundling of the engine into the app, and a commit wakes the
// event streams of this process directly.

import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { Weft } from "../facade.ts";

/** Where the app's route handlers find the facade (app/lib/weft.ts reads the same key). */
const FACADE_KEY = Symbol.for("weft.facade");
/** The peer's address, for sign-in rate limits (app/lib/auth.ts); a client's own value is replaced. */
const CLIENT_ADDRESS_HEADER = "x-weft-client-address";

export function publishFacade(facade: Weft | undefined): void {
  (globalThis as Record<symbol, unknown>)[FACADE_KEY] = facade;
}

/** Runs `next build` in a child process, its output on ours; rejects when it fails. */
export async function buildApp(root: string, log: (line: string) => void): Promise<void> {
  const require = createRequire(import.meta.url);
  const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
  log("building the app (next build, about a minute; once, until the app's sources change)");
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit status ${code}): see its output above`))));
  });
  log(`built the app in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Starts Next.js on `port` (hot reload with `dev`), serving what app/ holds. */
export async function startAppServer(options: { root: string; port: number; host?: string; dev: boolean }): Promise<{ server: Server; close(): Promise<void> }> {
  const { default: next } = (await import("next")) as unknown as { default: (o: object) => NextApp };
  const app = next({ dev: options.dev, dir: options.root, port: options.port, hostname: options.host ?? "localhost" });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "unknown";
    handle(req, res).catch((err: unknown) => {
      console.error("weft: the app failed to answer a request:", err);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("Weft could not answer this request; the error is in the server's log.");
    });
  });
  const upgrade = app.getUpgradeHandler?.();
  if (upgrade) server.on("upgrade", (req, socket, head) => void upgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    async close() {
      server.close();
      server.closeAllConnections();
      // The dev server's file watchers and compiler keep the process alive until closed.
      await app.close?.();
    },
  };
}

interface NextApp {
  prepare(): Promise<void>;
  getRequestHandler(): (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<void>;
  getUpgradeHandler?(): (req: import("node:http").IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => Promise<void>;
  close?(): Promise<void>;
}
