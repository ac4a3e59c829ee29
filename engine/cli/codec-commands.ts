// `weft codec status` and `weft codec reencrypt`: which key the database's payloads are under,
// and moving them all under a new one. A key rotation: give every process
// WEFT_CODEC_KEYS=NEW,OLD (the first writes, every one reads; the first process to write with
// it records NEW as the writing key, and processes without NEW refuse to write from then on),
// then run `weft codec reencrypt`, which rewrites the OLD payloads under NEW and, once none is
// left, records that only NEW is needed: WEFT_CODEC_KEY=NEW alone will do.

import type { Engine } from "../engine.ts";
import { UserError } from "./user-error.ts";

async function open(): Promise<Engine> {
  const { Engine } = await import("../engine.ts");
  try {
    return await Engine.open();
  } catch (err) {
    throw new UserError((err as Error).name === "EngineError" ? (err as Error).message : `cannot open the database: ${(err as Error).message}`);
  }
}

export async function codecStatusCommand(options: { json?: boolean }): Promise<void> {
  const engine = await open();
  try {
    const { codecStatus } = await import("../codec-keys.ts");
    const status = await codecStatus(engine.db);
    const out = { ...status, processKeys: [...engine.codec.keys] };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    const r = status.record;
    const lines = [
      r === null
        ? "the database records no payload key yet (the first process to write records its own)"
        : r.encrypted
          ? `payloads are encrypted; written with key ${r.key}${r.previous?.length ? `; older keys possibly still in use: ${r.previous.join(", ")} (run \`weft codec reencrypt\`)` : ""}`
          : "payloads are not encrypted",
      `this process's keys: ${engine.codec.keys.join(", ") || "none"}`,
      ...Object.entries(status.payloads).map(([key, n]) => `  ${String(n).padStart(8)} payloads ${key === "plaintext" ? "in plaintext" : `under key ${key}`}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await engine.close();
  }
}

/**
 * Re-encrypts every payload under the newest key, printing its progress per table on stderr.
 * Exit status 0 when every payload is under the newest key at the end; 1 when some could not
 * be read (listed) or were written under an older key meanwhile: run it again once every
 * process has the new key.
 */
export async function reencryptCommand(options: { json?: boolean; batch?: string }): Promise<number> {
  const batch = Number(options.batch ?? 500);
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new UserError(`--batch takes a whole number from 1 to 10000, not "${options.batch}"`);
  const engine = await open();
  try {
    const { reencryptPayloads, CodecMismatch } = await import("../codec-keys.ts");
    let last = "";
    let result;
    try {
      result = await reencryptPayloads(engine.db, engine.codec, {
        batch,
        onProgress: (p) => {
          const line = `weft codec reencrypt: ${p.table}: ${p.done} of ${p.total} rows looked at, ${p.rewritten} payloads re-encrypted`;
          if (line !== last) process.stderr.write(`${line}\n`);
          last = line;
        },
      });
    } catch (err) {
      if (err instanceof CodecMismatch) throw new UserError(err.message, "UNAVAILABLE");
      throw err;
    }
    const done = result.remaining === 0;
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const lines = [
        `re-encrypted ${result.rewritten} payload${result.rewritten === 1 ? "" : "s"} under key ${result.key}`,
        done
          ? `every payload is under key ${result.key} now: the older keys may be dropped (WEFT_CODEC_KEY=NEW alone)`
          : `${result.remaining} payload${result.remaining === 1 ? " is" : "s are"} still under another key (unreadable, or written meanwhile by a process with an older key first): run it again once every process has the new key first`,
        ...result.unreadable.slice(0, 20).map((u) => `cannot read ${u.table} ${u.row} ${u.column}: ${u.reason}`),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    if (!done) process.stderr.write(`weft: ${result.remaining} payloads are not under the newest key yet\n`);
    return done ? 0 : 1;
  } finally {
    await engine.close();
  }
}
