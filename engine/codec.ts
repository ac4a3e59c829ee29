// The payload codec: every input, result and signal payload passes through one of these on its
// way into the database and back. `jsonCodec` stores JSON text; `aesGcmCodec` stores
// AES-256-GCM ciphertext, so that with WEFT_CODEC_KEY (or WEFT_CODEC_KEYS) set the database
// holds no plaintext payload. The database records whether its payloads are encrypted and with
// which key (codec-keys.ts), so that a process with no key or another key cannot write.
//
// Encrypted format: "aes256gcm:" + fingerprint of the key (16 hex digits) + ":" + base64(iv (12
// bytes) | tag (16 bytes) | ciphertext), where the plaintext is the value's JSON text and the
// fingerprint is authenticated with it (GCM additional data). A fresh random IV per payload.
// The fingerprint lets a process with several keys (key rotation) pick the right one, say which
// key a payload it cannot read needs, and lets `weft codec reencrypt` find the payloads that
// are not under the newest key with a plain text comparison. Payloads written before keys had
// fingerprints ("aes256gcm:" + base64) are still read, by trying each key.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface PayloadCodec {
  readonly kind: "json" | "aes-256-gcm";
  /**
   * The fingerprints of the keys, newest (the one encode writes with) first: [] for JSON. A
   * fingerprint is the first 8 bytes of the key's SHA-256 in hex: it names a key, never reveals it.
   */
  readonly keys: readonly string[];
  /** The value as text for the database. `undefined` encodes like null. */
  encode(value: unknown): string;
  /** The value back from text written by `encode`; a payload it cannot read throws a CodecError. */
  decode(text: string): unknown;
}

/** A stored payload this process cannot read: no key, another key, or altered bytes. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodecError";
  }
}

/** Marks encrypted payloads. */
export const ENCRYPTED_PREFIX = "aes256gcm:";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const FINGERPRINT = /^[0-9a-f]{16}$/;

const MAKE_A_KEY =
  "make one with `openssl rand -base64 32` or " +
  "`node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`";

/** Whether a stored payload is AES-GCM ciphertext. */
export function isEncrypted(text: string): boolean {
  return text.startsWith(ENCRYPTED_PREFIX);
}

/** The key's fingerprint: the first 8 bytes of its SHA-256, in hex. */
export function keyFingerprint(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** The fingerprint of the key an encrypted payload names; undefined for plain JSON and for payloads from before fingerprints. */
export function payloadKey(text: string): string | undefined {
  if (!isEncrypted(text)) return undefined;
  const fingerprint = text.slice(ENCRYPTED_PREFIX.length, ENCRYPTED_PREFIX.length + 16);
  return text.charAt(ENCRYPTED_PREFIX.length + 16) === ":" && FINGERPRINT.test(fingerprint) ? fingerprint : undefined;
}

function toJson(value: unknown): string {
  // JSON.stringify gives undefined for undefined, functions and symbols: store them as null.
  return JSON.stringify(value === undefined ? null : value) ?? "null";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const preview = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    throw new CodecError(`payload is not valid JSON (${(error as Error).message}): ${JSON.stringify(preview)}`);
  }
}

/** Plain JSON text. Refuses encrypted payloads with a message saying which setting is missing. */
export const jsonCodec: PayloadCodec = Object.freeze({
  kind: "json" as const,
  keys: Object.freeze([]) as readonly string[],
  encode: toJson,
  decode(text: string): unknown {
    if (isEncrypted(text)) {
      const key = payloadKey(text);
      throw new CodecError(`this payload is encrypted${key ? ` (key ${key})` : ""}: set WEFT_CODEC_KEY to the key it was written with`);
    }
    return parseJson(text);
  },
});

/**
 * AES-256-GCM with 32-byte keys: one, or several newest first (key rotation: it writes with the
 * first and reads with any). Decoding text without the prefix reads it as JSON (rows written
 * before a key was set); a payload under a key it lacks, or altered, is a CodecError.
 */
export function aesGcmCodec(keyOrKeys: Uint8Array | readonly Uint8Array[]): PayloadCodec {
  const list = keyOrKeys instanceof Uint8Array ? [keyOrKeys] : [...keyOrKeys];
  if (list.length === 0) throw new Error("the AES-256-GCM payload codec needs at least one key");
  for (const key of list) {
    if (!(key instanceof Uint8Array) || key.byteLength !== KEY_BYTES) {
      const got = key instanceof Uint8Array ? `${key.byteLength} bytes` : typeof key;
      throw new Error(`the AES-256-GCM payload key must be exactly ${KEY_BYTES} bytes, not ${got}`);
    }
  }
  // Private copies: the caller may reuse or zero its buffers.
  const secrets = list.map((key) => ({ secret: Buffer.from(key), fingerprint: keyFingerprint(key) }));
  const byFingerprint = new Map(secrets.map((s) => [s.fingerprint, s.secret]));
  const writer = secrets[0]!;
  const writerAad = Buffer.from(writer.fingerprint);
  const fingerprints = Object.freeze(secrets.map((s) => s.fingerprint));
  const wrongKey = "cannot decrypt payload: WEFT_CODEC_KEY is not the key it was written with, or the stored payload was altered";

  function open(secret: Buffer, bytes: Buffer, aad: Buffer | undefined): string | undefined {
    try {
      const decipher = createDecipheriv("aes-256-gcm", secret, bytes.subarray(0, IV_BYTES));
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }

  return Object.freeze({
    kind: "aes-256-gcm" as const,
    keys: fingerprints,
    encode(value: unknown): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", writer.secret, iv);
      cipher.setAAD(writerAad);
      const ciphertext = Buffer.concat([cipher.update(toJson(value), "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${ENCRYPTED_PREFIX}${writer.fingerprint}:${Buffer.concat([iv, tag, ciphertext]).toString("base64")}`;
    },
    decode(text: string): unknown {
      if (!isEncrypted(text)) return parseJson(text);
      const key = payloadKey(text);
      const body = text.slice(ENCRYPTED_PREFIX.length + (key === undefined ? 0 : 17));
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
        throw new CodecError("malformed encrypted payload: its body is not base64");
      }
      const bytes = Buffer.from(body, "base64");
      if (bytes.length < IV_BYTES + TAG_BYTES) {
        throw new CodecError(`malformed encrypted payload: ${bytes.length} bytes, shorter than its IV and tag`);
      }
      if (key !== undefined) {
        const secret = byFingerprint.get(key);
        if (!secret) {
          throw new CodecError(`cannot decrypt payload: it was written with key ${key}, which is not among this process's keys (${fingerprints.join(", ")}): add that key to WEFT_CODEC_KEYS`);
        }
        const plaintext = open(secret, bytes, Buffer.from(key));
        if (plaintext === undefined) throw new CodecError(wrongKey);
        return parseJson(plaintext);
      }
      // Written before payloads named their key: whichever key opens it.
      for (const { secret } of secrets) {
        const plaintext = open(secret, bytes, undefined);
        if (plaintext !== undefined) return parseJson(plaintext);
      }
      throw new CodecError(wrongKey);
    },
  });
}

/**
 * Reads a key given as base64 (standard or URL-safe alphabet, padding optional) of exactly 32
 * bytes. Throws an Error saying what is wrong and how to make a key.
 */
export function parseCodecKey(text: string, source = "WEFT_CODEC_KEY"): Uint8Array {
  const trimmed = text.trim();
  if (trimmed === "") throw new Error(`${source} is empty: it must be ${KEY_BYTES} random bytes in base64; ${MAKE_A_KEY}`);
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(`${source} is not base64: it must be ${KEY_BYTES} random bytes in base64; ${MAKE_A_KEY}`);
  }
  const bytes = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (bytes.length !== KEY_BYTES) {
    throw new Error(
      `${source} decodes to ${bytes.length} bytes, but AES-256-GCM needs exactly ${KEY_BYTES} bytes in base64 (44 characters); ${MAKE_A_KEY}`,
    );
  }
  return new Uint8Array(bytes);
}

/** A fresh random key, base64, suitable for WEFT_CODEC_KEY. */
export function generateCodecKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

/**
 * The codec the environment asks for: JSON without a key; AES-256-GCM with WEFT_CODEC_KEY, or
 * with WEFT_CODEC_KEYS (comma-separated, newest first: it writes with the first and reads with
 * any, for key rotation). With both set, WEFT_CODEC_KEY must be one of WEFT_CODEC_KEYS, so
 * that the two never disagree about which key writes.
 */
export function codecFromEnv(env: Record<string, string | undefined> = process.env): PayloadCodec {
  const one = env.WEFT_CODEC_KEY;
  const many = env.WEFT_CODEC_KEYS;
  if (many === undefined || many.trim() === "") {
    if (one === undefined) return jsonCodec;
    return aesGcmCodec(parseCodecKey(one));
  }
  const keys = many.split(",").map((text, i) => parseCodecKey(text, `WEFT_CODEC_KEYS (key ${i + 1})`));
  const fingerprints = keys.map(keyFingerprint);
  const repeated = fingerprints.findIndex((f, i) => fingerprints.indexOf(f) !== i);
  if (repeated !== -1) {
    throw new Error(`WEFT_CODEC_KEYS lists the same key twice (keys ${fingerprints.indexOf(fingerprints[repeated]!) + 1} and ${repeated + 1}): list each key once, newest first`);
  }
  if (one !== undefined && !fingerprints.includes(keyFingerprint(parseCodecKey(one)))) {
    throw new Error("WEFT_CODEC_KEY is not one of WEFT_CODEC_KEYS: set only WEFT_CODEC_KEYS (newest key first)");
  }
  return aesGcmCodec(keys);
}

/** What a view shows in place of a payload this process cannot read (see showingUndecryptable). */
export interface Undecryptable {
  undecryptable: string;
}

export function isUndecryptable(value: unknown): value is Undecryptable {
  return typeof value === "object" && value !== null && typeof (value as Undecryptable).undecryptable === "string" && Object.keys(value).length === 1;
}

/**
 * The codec for what is only shown (describe, history, lists): a payload it cannot read becomes
 * `{ undecryptable: reason }` instead of an error, so that one such payload (no key, another
 * key, an altered row) leaves the rest of the view readable and says why per payload. Never
 * for what runs workflow code or writes: a marker must not pass for data.
 */
export function showingUndecryptable(codec: PayloadCodec): PayloadCodec {
  return Object.freeze({
    kind: codec.kind,
    keys: codec.keys,
    encode: (value: unknown) => codec.encode(value),
    decode(text: string): unknown {
      try {
        return codec.decode(text);
      } catch (err) {
        if (err instanceof CodecError) return { undecryptable: err.message } satisfies Undecryptable;
        throw err;
      }
    },
  });
}
