// Which key a database's payloads are under, recorded in the database itself (table setting,
// row "codec"), so that a process with no key, or with another key, cannot write plaintext or
// unreadable ciphertext beside them: it refuses with a one-line reason. The record holds key
// fingerprints only (codec.ts keyFingerprint), never a key.
//
// The record: { encrypted: false } or { encrypted: true, key, previous }: `key` writes, and
// `previous` lists the older keys whose payloads may still be stored (a rotation under way,
// until `weft codec reencrypt` has rewritten them). A process may write when
//  - the database is not encrypted and it has no key;
//  - its newest key is the recorded one and it has every previous key too;
//  - its newest key is new and it also has the recorded one: that starts a rotation (the
//    record's key becomes its newest, the old one joins `previous`).
// It is checked at a process's first write (Engine.ensureWritable; a worker checks at start),
// not at open: a process that only reads (`weft list`, `describe`) runs with any key or none,
// and shows each payload it cannot read as `{ undecryptable: reason }` instead.

import { CodecError, ENCRYPTED_PREFIX, isEncrypted, payloadKey, type PayloadCodec } from "./codec.ts";
import type { Database, SqlExecutor, SqlValue } from "./storage/types.ts";

export interface CodecRecord {
  encrypted: boolean;
  /** The fingerprint of the key payloads are written with. */
  key?: string;
  /** Fingerprints of older keys whose payloads may still be stored. */
  previous?: string[];
}

/** A process that may not write to this database with its keys; the message is its one-line reason. */
export class CodecMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodecMismatch";
  }
}

const NAME = "codec";

export async function readCodecRecord(db: SqlExecutor): Promise<{ record: CodecRecord; text: string } | undefined> {
  const rows = await db.query<{ value: string }>("SELECT value FROM setting WHERE name = ?", [NAME]);
  if (rows.length === 0) return undefined;
  const text = String(rows[0].value);
  return { record: JSON.parse(text) as CodecRecord, text };
}

function recordText(record: CodecRecord): string {
  return JSON.stringify(record.encrypted ? { encrypted: true, key: record.key, previous: record.previous ?? [] } : { encrypted: false });
}

/** Writes the record: only if none is there yet (`expected` undefined), or if it is still `expected`. */
async function writeRecord(db: SqlExecutor, record: CodecRecord, expected: string | undefined): Promise<boolean> {
  const now = Date.now();
  if (expected === undefined) {
    return (await db.execute("INSERT INTO setting (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING", [NAME, recordText(record), now])) === 1;
  }
  return (await db.execute("UPDATE setting SET value = ?, updated_at = ? WHERE name = ? AND value = ?", [recordText(record), now, NAME, expected])) === 1;
}

const list = (keys: readonly string[]) => keys.join(", ");

/**
 * Checks that `codec` may write to `db`, recording what is not recorded yet (the first write to
 * a database says whether its payloads are encrypted, and with which key) or starting a key
 * rotation. Throws CodecMismatch with the reason when it may not.
 */
export async function claimCodec(db: Database, codec: PayloadCodec): Promise<CodecRecord> {
  const keys = codec.keys;
  for (let attempt = 0; ; attempt++) {
    const current = await readCodecRecord(db);
    const decision = await decide(db, codec, current?.record);
    if ("refusal" in decision) throw new CodecMismatch(decision.refusal);
    if (decision.write === undefined) return current!.record;
    if (await writeRecord(db, decision.write, current?.text)) return decision.write;
    // Another process recorded first: look again.
    if (attempt >= 5) throw new CodecMismatch(`the database's codec record kept changing while this process (keys ${list(keys) || "none"}) checked it: try again`);
  }
}

async function decide(db: Database, codec: PayloadCodec, record: CodecRecord | undefined): Promise<{ refusal: string } | { write?: CodecRecord }> {
  const keys = codec.keys;
  const newest = keys[0];
  if (record === undefined) {
    // Nothing recorded: a database used before the record was kept, or a new one. Its payloads
    // say whether they are encrypted (every run has an input, so one look at the runs suffices).
    const sample = await db.query<{ input: string }>("SELECT input FROM run WHERE substr(input, 1, ?) = ? LIMIT 1", [ENCRYPTED_PREFIX.length, ENCRYPTED_PREFIX]);
    const encrypted = sample[0] ? String(sample[0].input) : undefined;
    if (newest === undefined) {
      if (encrypted !== undefined) {
        const key = payloadKey(encrypted);
        return { refusal: `the database holds encrypted payloads${key ? ` (key ${key})` : ""}: set WEFT_CODEC_KEY to the key they were written with` };
      }
      return { write: { encrypted: false } };
    }
    if (encrypted !== undefined) {
      try {
        codec.decode(encrypted);
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        const key = payloadKey(encrypted);
        return { refusal: `the database holds payloads encrypted with another key${key ? ` (${key})` : ""} than this process's (${list(keys)}): set WEFT_CODEC_KEY to the key they were written with` };
      }
    }
    // Payloads under this process's older keys may be stored (those written before payloads
    // named their key cannot tell): they stay listed until `weft codec reencrypt` has run.
    return { write: { encrypted: true, key: newest, previous: encrypted === undefined ? [] : keys.slice(1) } };
  }

  if (!record.encrypted) {
    if (newest === undefined) return {};
    // Encryption may be switched on while nothing is stored; with payloads stored, only by
    // `weft codec reencrypt`, which encrypts them (switched off, never silently).
    const any = await db.query("SELECT 1 AS present FROM run LIMIT 1");
    if (any.length === 0) return { write: { encrypted: true, key: newest, previous: [] } };
    return { refusal: "the database's payloads are not encrypted, and this process has a key: to encrypt them, stop the processes that have none and run `weft codec reencrypt` with the key set (or unset WEFT_CODEC_KEY)" };
  }

  const recorded = record.key!;
  const previous = record.previous ?? [];
  if (newest === undefined) return { refusal: `the database's payloads are encrypted (key ${recorded}): set WEFT_CODEC_KEY to that key` };
  const lacking = (needed: string[]) => needed.filter((k) => !keys.includes(k));
  const stillStored = (missing: string[]) =>
    `payloads under key${missing.length === 1 ? "" : "s"} ${list(missing)} may still be stored: keep ${missing.length === 1 ? "it" : "them"} in WEFT_CODEC_KEYS, after the newest key, until \`weft codec reencrypt\` has finished`;
  if (newest === recorded) {
    const missing = lacking(previous);
    return missing.length > 0 ? { refusal: stillStored(missing) } : {};
  }
  if (previous.includes(newest)) {
    return { refusal: `the database's payloads are now written with key ${recorded}, and this process writes with ${newest}, an older one: put the key ${recorded} first in WEFT_CODEC_KEYS` };
  }
  if (keys.includes(recorded)) {
    // A rotation begins: this process writes with its newest key from now on, and so must
    // every process that starts after it; the old key's payloads stay readable.
    const missing = lacking(previous);
    if (missing.length > 0) return { refusal: stillStored(missing) };
    return { write: { encrypted: true, key: newest, previous: [...new Set([recorded, ...previous])] } };
  }
  return {
    refusal: `the database's payloads are encrypted with key ${recorded}, and this process has ${keys.length === 1 ? "key" : "keys"} ${list(keys)}: set WEFT_CODEC_KEY to the key they were written with (to move to a new key: WEFT_CODEC_KEYS=NEW,OLD, then \`weft codec reencrypt\`)`,
  };
}

// ------------------------------------------------------------------------------------------------
// Re-encryption

/** Every payload column, by table, with the table's key. */
const PAYLOADS: { table: string; key: string[]; columns: string[] }[] = [
  { table: "run", key: ["run_id"], columns: ["input", "result", "error"] },
  { table: "history_event", key: ["run_id", "seq"], columns: ["data"] },
  { table: "signal", key: ["id"], columns: ["payload", "sent_by"] },
  { table: "task", key: ["id"], columns: ["data", "heartbeat"] },
];

export interface ReencryptProgress {
  table: string;
  /** Rows of the table looked at so far, and how many needed it when it began. */
  done: number;
  total: number;
  rewritten: number;
}

export interface ReencryptResult {
  /** The key payloads are under now. */
  key: string;
  /** Payloads rewritten under it. */
  rewritten: number;
  /** Payloads this process could not read (listed, left as they are). */
  unreadable: { table: string; row: string; column: string; reason: string }[];
  /** Payloads still under another key (or plaintext) at the end: written meanwhile, or unreadable. */
  remaining: number;
  /** The record after: `previous` is [] once nothing under another key is left. */
  record: CodecRecord;
}

/**
 * `weft codec reencrypt`: rewrites every payload that is not under `codec`'s newest key (older
 * keys' ciphertext, and plaintext) under that key, in batches of `batch` rows per transaction.
 * First the record says the newest key writes (so processes without it refuse to write from
 * now on); once no payload under another key is left, it drops the older keys. Stopped halfway,
 * it is simply run again: it finds the payloads still to do by their prefix.
 */
export async function reencryptPayloads(
  db: Database,
  codec: PayloadCodec,
  options: { batch?: number; onProgress?: (p: ReencryptProgress) => void } = {},
): Promise<ReencryptResult> {
  const newest = codec.keys[0];
  if (codec.kind !== "aes-256-gcm" || newest === undefined) {
    throw new CodecMismatch("`weft codec reencrypt` needs the keys: set WEFT_CODEC_KEYS to the new key, then the old ones (comma-separated), or WEFT_CODEC_KEY to encrypt a plaintext database");
  }
  const batch = options.batch ?? 500;
  // The record first: from here on, the newest key writes.
  let record: CodecRecord;
  for (let attempt = 0; ; attempt++) {
    const current = await readCodecRecord(db);
    const old = current?.record;
    if (old?.encrypted) {
      const missing = [old.key!, ...(old.previous ?? [])].filter((k) => !codec.keys.includes(k));
      if (missing.length > 0) {
        throw new CodecMismatch(`payloads under key${missing.length === 1 ? "" : "s"} ${list(missing)} may be stored, and this process does not have ${missing.length === 1 ? "it" : "them"}: list every key in WEFT_CODEC_KEYS, newest first`);
      }
    }
    const olderKeys = old?.encrypted ? [old.key!, ...(old.previous ?? [])].filter((k) => k !== newest) : [];
    const next: CodecRecord = { encrypted: true, key: newest, previous: [...new Set(olderKeys)] };
    if (current?.text === recordText(next) || (await writeRecord(db, next, current?.text))) {
      record = next;
      break;
    }
    if (attempt >= 5) throw new CodecMismatch("the database's codec record kept changing: try again");
  }

  const prefix = `${ENCRYPTED_PREFIX}${newest}:`;
  const stale = (column: string) => `(${column} IS NOT NULL AND substr(${column}, 1, ${prefix.length}) <> '${prefix}')`;
  let rewritten = 0;
  const unreadable: ReencryptResult["unreadable"] = [];
  for (const { table, key, columns } of PAYLOADS) {
    const needs = columns.map(stale).join(" OR ");
    const [{ n }] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${needs}`);
    const total = Number(n);
    let done = 0;
    let tableRewritten = 0;
    let after: SqlValue[] | undefined;
    while (total > 0) {
      const keyList = key.join(", ");
      const where = after === undefined ? needs : `(${keyList}) > (${key.map(() => "?").join(", ")}) AND (${needs})`;
      const rows = await db.query(`SELECT ${keyList}, ${columns.join(", ")} FROM ${table} WHERE ${where} ORDER BY ${keyList} LIMIT ?`, [...(after ?? []), batch]);
      if (rows.length === 0) break;
      after = key.map((k) => rows.at(-1)![k] as SqlValue);
      await db.transaction(async (tx) => {
        for (const row of rows) {
          for (const column of columns) {
            const text = row[column];
            if (text === null || text === undefined || String(text).startsWith(prefix)) continue;
            let value: unknown;
            try {
              value = codec.decode(String(text));
            } catch (err) {
              if (!(err instanceof CodecError)) throw err;
              unreadable.push({ table, row: key.map((k) => String(row[k])).join("/"), column, reason: err.message });
              continue;
            }
            // Only if unchanged meanwhile (a heartbeat, a run closing): a payload written since
            // is under the newest key already, or is counted as remaining below.
            const changed = await tx.execute(`UPDATE ${table} SET ${column} = ? WHERE ${key.map((k) => `${k} = ?`).join(" AND ")} AND ${column} = ?`, [
              codec.encode(value),
              ...key.map((k) => row[k] as SqlValue),
              String(text),
            ]);
            tableRewritten += changed;
          }
        }
      });
      done += rows.length;
      options.onProgress?.({ table, done: Math.min(done, total), total, rewritten: tableRewritten });
    }
    rewritten += tableRewritten;
  }

  let remaining = 0;
  for (const { table, columns } of PAYLOADS) {
    const [{ n }] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${columns.map(stale).join(" OR ")}`);
    remaining += Number(n);
  }
  if (remaining === 0 && (record.previous?.length ?? 0) > 0) {
    const current = await readCodecRecord(db);
    const done: CodecRecord = { encrypted: true, key: newest, previous: [] };
    if (current?.text === recordText(record) && (await writeRecord(db, done, current.text))) record = done;
  }
  return { key: newest, rewritten, unreadable, remaining, record };
}

/** What `weft codec status` shows: the record, and how many payloads are under each key. */
export async function codecStatus(db: Database): Promise<{ record: CodecRecord | null; payloads: Record<string, number> }> {
  const current = await readCodecRecord(db);
  const payloads: Record<string, number> = {};
  for (const { table, columns } of PAYLOADS) {
    for (const column of columns) {
      // Grouped by the part of the payload that names its key (plaintext has none); the
      // database does the counting.
      const head = `CASE WHEN substr(${column}, 1, ${ENCRYPTED_PREFIX.length}) = '${ENCRYPTED_PREFIX}' THEN substr(${column}, 1, ${ENCRYPTED_PREFIX.length + 17}) ELSE 'plaintext' END`;
      const rows = await db.query<{ k: string; n: number }>(`SELECT ${head} AS k, COUNT(*) AS n FROM ${table} WHERE ${column} IS NOT NULL GROUP BY ${head}`);
      for (const r of rows) {
        const start = String(r.k);
        const name = isEncrypted(start) ? (payloadKey(`${start}x`) ?? "encrypted, key not named") : "plaintext";
        payloads[name] = (payloads[name] ?? 0) + Number(r.n);
      }
    }
  }
  return { record: current?.record ?? null, payloads };
}
