// The payload keys of a database (issue 10, item 3): the database records whether its payloads
// are encrypted and under which key (a fingerprint, never the key); a process with no key or
// another key refuses to write, with a one-line reason, and a worker refuses to start; reads
// with a missing or wrong key show each payload they cannot read as `{ undecryptable }`
// instead of failing; keys rotate with WEFT_CODEC_KEYS (newest first) and `weft codec
// reencrypt`, after which the recorded key is the new one. On SQLite and PostgreSQL, and
// through the real `weft` command.

import { execFile } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { aesGcmCodec, ENCRYPTED_PREFIX, generateCodecKey, jsonCodec, keyFingerprint, parseCodecKey, type PayloadCodec } from "../../engine/codec.ts";
import { readCodecRecord, reencryptPayloads } from "../../engine/codec-keys.ts";
import { Engine } from "../../engine/engine.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { line } from "./documents.ts";
import { freshDatabases } from "./fresh-databases.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const databases = freshDatabases("codec-keys");
afterAll(() => databases.cleanup());

const DOC = line("keyed", [
  { id: "wait", type: "signal", signal: "go", output: "go" },
  { id: "done", type: "end", result: "=go" },
]);

const codecOf = (...keys: string[]): PayloadCodec => (keys.length === 0 ? jsonCodec : aesGcmCodec(keys.map((k) => parseCodecKey(k))));
const fingerprint = (key: string) => keyFingerprint(parseCodecKey(key));

/** Every payload stored, by table and column (null ones left out). */
async function payloads(engine: Engine): Promise<string[]> {
  const out: string[] = [];
  for (const [table, columns] of [["run", ["input", "result", "error"]], ["history_event", ["data"]], ["signal", ["payload", "sent_by"]], ["task", ["data", "heartbeat"]]] as const) {
    for (const row of await engine.db.query(`SELECT ${columns.join(", ")} FROM ${table}`)) {
      for (const c of columns) if (row[c] !== null) out.push(String(row[c]));
    }
  }
  return out;
}

describe.each(["sqlite", "postgresql"] as const)("payload keys on %s", (kind) => {
  it("the first write records the key's fingerprint; a process with no key or another key refuses to write or start a worker, and writes nothing", async () => {
    const url = databases.freshUrl(kind);
    const key = generateCodecKey();
    const owner = await Engine.open({ url, codec: codecOf(key) });
    const keyless = await Engine.open({ url, codec: jsonCodec });
    const stranger = await Engine.open({ url, codec: codecOf(generateCodecKey()) });
    try {
      await owner.deploy(DOC);
      // Reading records nothing: only a write does.
      await keyless.list();
      expect(await readCodecRecord(owner.db)).toBeUndefined();
      await owner.start("keyed", { workflowId: "k-1", input: { secret: "S-1" } });
      const record = await readCodecRecord(owner.db);
      expect(record!.record).toEqual({ encrypted: true, key: fingerprint(key), previous: [] });
      expect(record!.text).not.toContain(key);
      expect(record!.text).not.toContain(Buffer.from(parseCodecKey(key)).toString("hex").slice(0, 32));

      const before = await payloads(owner);
      for (const [engine, reason] of [
        [keyless, `the database's payloads are encrypted (key ${fingerprint(key)}): set WEFT_CODEC_KEY to that key`],
        [stranger, `the database's payloads are encrypted with key ${fingerprint(key)}, and this process has key ${stranger.codec.keys[0]}`],
      ] as const) {
        const refused = { code: "UNAVAILABLE", message: expect.stringContaining(reason) };
        await expect(engine.start("keyed", { workflowId: "k-2" })).rejects.toMatchObject(refused);
        await expect(engine.signal("k-1", "go", { n: 1 })).rejects.toMatchObject(refused);
        await expect(engine.decide("k-1", "approve", { by: "x" })).rejects.toMatchObject(refused);
        await expect(engine.cancel("k-1")).rejects.toMatchObject(refused);
        await expect(new Worker(engine, new Map(), { pollMs: 50 }).start()).rejects.toMatchObject(refused);
        expect(((await engine.start("keyed").catch((e: unknown) => e)) as Error).message.split("\n")).toHaveLength(1);
      }
      expect(await payloads(owner)).toEqual(before);
      expect((await owner.describe("k-1")).status).toBe("running");
    } finally {
      await Promise.all([owner.close(), keyless.close(), stranger.close()]);
    }
  });

  it("reads with a missing or wrong key show each payload they cannot read as { undecryptable: reason }", async () => {
    const url = databases.freshUrl(kind);
    const key = generateCodecKey();
    const owner = await Engine.open({ url, codec: codecOf(key) });
    await owner.deploy(DOC);
    await owner.start("keyed", { workflowId: "r-1", input: { secret: "S-2" } });
    await owner.signal("r-1", "go", { n: 2 });
    await owner.close();
    for (const codec of [jsonCodec, codecOf(generateCodecKey())]) {
      const engine = await Engine.open({ url, codec });
      try {
        const d = await engine.describe("r-1");
        expect(d).toMatchObject({ workflowId: "r-1", status: "running", version: 1 });
        expect(d.input).toEqual({ undecryptable: expect.stringMatching(codec === jsonCodec ? /^this payload is encrypted \(key [0-9a-f]{16}\)/ : /^cannot decrypt payload: it was written with key [0-9a-f]{16}/) });
        const history = await engine.history("r-1");
        expect(history[0]).toMatchObject({ type: "WorkflowStarted", seq: 1, undecryptable: expect.any(String) });
        const [summary] = await engine.list({ name: "keyed" });
        expect(summary).toMatchObject({ workflowId: "r-1", status: "running" });
      } finally {
        await engine.close();
      }
    }
  });

  it("a database first written without a key stays unencrypted: a process with a key refuses once payloads are stored", async () => {
    const url = databases.freshUrl(kind);
    const plain = await Engine.open({ url, codec: jsonCodec });
    const keyed = await Engine.open({ url, codec: codecOf(generateCodecKey()) });
    try {
      await plain.deploy(DOC);
      await plain.start("keyed", { workflowId: "p-1" });
      expect((await readCodecRecord(plain.db))!.record).toEqual({ encrypted: false });
      await expect(keyed.start("keyed", { workflowId: "p-2" })).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/payloads are not encrypted, and this process has a key: .*weft codec reencrypt/) });
    } finally {
      await Promise.all([plain.close(), keyed.close()]);
    }
  });

  it("reencrypt with a key encrypts a database written without one; processes without the key may then no longer write", async () => {
    const url = databases.freshUrl(kind);
    const key = generateCodecKey();
    const plain = await Engine.open({ url, codec: jsonCodec });
    const keyed = await Engine.open({ url, codec: codecOf(key) });
    try {
      await plain.deploy(DOC);
      await plain.start("keyed", { workflowId: "enc-1", input: { secret: "S-4" } });
      await plain.signal("enc-1", "go", { secret: "S-5" });
      const result = await reencryptPayloads(keyed.db, keyed.codec);
      expect(result).toMatchObject({ remaining: 0, record: { encrypted: true, key: fingerprint(key), previous: [] } });
      for (const text of await payloads(keyed)) expect(text.startsWith(`${ENCRYPTED_PREFIX}${fingerprint(key)}:`)).toBe(true);
      expect((await keyed.describe("enc-1")).input).toEqual({ secret: "S-4" });
      const late = await Engine.open({ url, codec: jsonCodec });
      try {
        await expect(late.start("keyed")).rejects.toMatchObject({ code: "UNAVAILABLE" });
      } finally {
        await late.close();
      }
    } finally {
      await Promise.all([plain.close(), keyed.close()]);
    }
  });

  it("rotates keys: WEFT_CODEC_KEYS=NEW,OLD writes with NEW; reencrypt (resumable, in batches) moves every payload under NEW, and then NEW alone will do", async () => {
    const url = databases.freshUrl(kind);
    const [oldKey, newKey] = [generateCodecKey(), generateCodecKey()];
    const old = await Engine.open({ url, codec: codecOf(oldKey) });
    await old.deploy(DOC);
    for (let i = 0; i < 5; i++) await old.start("keyed", { workflowId: `rot-${i}`, input: { i } });
    await old.signal("rot-0", "go", { n: 0 });

    await old.close();

    const rotating = await Engine.open({ url, codec: codecOf(newKey, oldKey) });
    const onlyNew = await Engine.open({ url, codec: codecOf(newKey) });
    // The first write with NEW first starts the rotation: from then on, a process that writes
    // with OLD, or lacks it while OLD's payloads are stored, refuses.
    await rotating.start("keyed", { workflowId: "rot-new", input: { fresh: true } });
    expect((await readCodecRecord(rotating.db))!.record).toEqual({ encrypted: true, key: fingerprint(newKey), previous: [fingerprint(oldKey)] });
    const lateOld = await Engine.open({ url, codec: codecOf(oldKey) });
    try {
      await expect(lateOld.start("keyed")).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining(`now written with key ${fingerprint(newKey)}`) });
      await expect(onlyNew.start("keyed")).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining(`payloads under key ${fingerprint(oldKey)} may still be stored`) });

      // Re-encryption, stopped after its first batch, then run again to the end.
      const progress: string[] = [];
      await expect(
        reencryptPayloads(rotating.db, rotating.codec, {
          batch: 2,
          onProgress: (p) => {
            progress.push(`${p.table} ${p.done}/${p.total}`);
            throw new Error("stopped");
          },
        }),
      ).rejects.toThrow("stopped");
      expect(progress).toEqual(["run 2/5"]);
      const result = await reencryptPayloads(rotating.db, rotating.codec, { batch: 2, onProgress: (p) => progress.push(`${p.table} ${p.done}/${p.total}`) });
      expect(progress.slice(1)).toContain("run 2/3");
      expect(result).toMatchObject({ key: fingerprint(newKey), remaining: 0, unreadable: [], record: { encrypted: true, key: fingerprint(newKey), previous: [] } });
      expect(result.rewritten).toBeGreaterThan(5);
      for (const text of await payloads(rotating)) expect(text.startsWith(`${ENCRYPTED_PREFIX}${fingerprint(newKey)}:`), text).toBe(true);
      expect((await readCodecRecord(rotating.db))!.record).toEqual({ encrypted: true, key: fingerprint(newKey), previous: [] });

      // NEW alone now writes and reads everything; OLD reads nothing.
      const fresh = await Engine.open({ url, codec: codecOf(newKey) });
      try {
        await fresh.signal("rot-2", "go", { n: 2 });
        expect((await fresh.describe("rot-3")).input).toEqual({ i: 3 });
        expect((await lateOld.describe("rot-3")).input).toEqual({ undecryptable: expect.stringContaining(`written with key ${fingerprint(newKey)}`) });
      } finally {
        await fresh.close();
      }
    } finally {
      await Promise.all([rotating.close(), onlyNew.close(), lateOld.close()]);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// Through the command

const run = promisify(execFile);

async function weft(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, "bin/weft.mjs"), ...args], { cwd: root, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("weft with payload keys", () => {
  it("with no key or another key: writes exit 1 with one line, a worker refuses to start; describe, history and list show the rest with no stack trace; codec reencrypt rotates", async () => {
    const url = databases.freshUrl("sqlite");
    const key = generateCodecKey();
    const base = { ...process.env, DATABASE_URL: url, WEFT_CODEC_KEY: undefined, WEFT_CODEC_KEYS: undefined };
    const keyed = { ...base, WEFT_CODEC_KEY: key };
    const doc = path.join(databases.tempDir, "keyed.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(doc, JSON.stringify(DOC));
    expect((await weft(keyed, "deploy", doc)).code).toBe(0);
    expect((await weft(keyed, "start", "keyed", "--id", "c-1", "--input", '{"secret":"S-3"}')).code).toBe(0);

    for (const env of [base, { ...base, WEFT_CODEC_KEY: generateCodecKey() }]) {
      const start = await weft(env, "start", "keyed", "--id", "c-2");
      expect(start.code).toBe(1);
      expect(start.stderr.trim().split("\n")).toHaveLength(1);
      expect(start.stderr).toMatch(/^weft: this process may not write payloads here: the database's payloads are encrypted/);
      const worker = await weft(env, "worker");
      expect(worker.code).toBe(1);
      expect(worker.stderr).toMatch(/^weft: this process may not write payloads here: /);
      expect(worker.stderr.trim().split("\n")).toHaveLength(1);
      if (env === base) {
        // `weft dev` refuses before it sets anything up (no demo password made and never shown).
        const dev = await weft(env, "dev", "--hot", "--port", "0");
        expect(dev.code).toBe(1);
        expect(dev.stderr).toMatch(/^weft: this process may not write payloads here: the database's payloads are encrypted/);
        expect(dev.stdout).toBe("");
      }

      for (const args of [["describe", "c-1"], ["describe", "c-1", "--json"], ["history", "c-1"], ["history", "c-1", "--json"], ["list"], ["list", "--json"]]) {
        const r = await weft(env, ...args);
        expect(r.stderr, args.join(" ")).toBe("");
        expect(r.code, args.join(" ")).toBe(0);
        expect(r.stdout).not.toMatch(/\n\s+at /);
      }
      const described = JSON.parse((await weft(env, "describe", "c-1", "--json")).stdout);
      expect(described).toMatchObject({ workflowId: "c-1", status: "running", input: { undecryptable: expect.any(String) } });
      expect((await weft(env, "history", "c-1")).stdout).toMatch(/WorkflowStarted\s+\(cannot be read: /);
    }

    // Rotation: a new key first, the old one after; reencrypt prints its progress, and then
    // the new key alone reads everything.
    const newKey = generateCodecKey();
    const r = await weft({ ...base, WEFT_CODEC_KEYS: `${newKey},${key}` }, "codec", "reencrypt", "--batch", "1");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^weft codec reencrypt: history_event: 1 of \d+ rows looked at/m);
    expect(r.stdout).toMatch(new RegExp(`every payload is under key ${fingerprint(newKey)} now`));
    const status = JSON.parse((await weft({ ...base, WEFT_CODEC_KEY: newKey }, "codec", "status", "--json")).stdout);
    expect(status.record).toEqual({ encrypted: true, key: fingerprint(newKey), previous: [] });
    expect(Object.keys(status.payloads)).toEqual([fingerprint(newKey)]);
    const after = JSON.parse((await weft({ ...base, WEFT_CODEC_KEY: newKey }, "describe", "c-1", "--json")).stdout);
    expect(after.input).toEqual({ secret: "S-3" });
    expect((await weft({ ...base, WEFT_CODEC_KEY: newKey }, "start", "keyed", "--id", "c-3")).code).toBe(0);
  }, 180_000);
});
