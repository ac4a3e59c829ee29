// The payload codec: every input, result and signal payload passes through one of these on its
// way into the database and back. `jsonCodec` stores JSON text; `aesGcmCodec` stores
// AES-256-GCM ciphertext, so that with WEFT_CODEC_KEY set the database holds no plaintext
// payload. Every process that shares a database must use the same key.
//
// Encrypted format: "aes256gcm:" + base64(iv (12 bytes) | tag (16 bytes) | ciphertext), where the
// plaintext is the value's JSON text. A fresh random IV per payload.

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export interface PayloadCodec {
  readonly kind: "json" | "aes-256-gcm";
  /** The value as text for the database. `undefined` encodes like null. */
  encode(value: unknown): string;
  /** The value back from text written by `encode`. */
  decode(text: string): unknown;
}

/** Marks encrypted payloads. */
export const ENCRYPTED_PREFIX = "aes256gcm:";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const MAKE_A_KEY =
  "make one with `openssl rand -base64 32` or " +
  "`node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`";

/** Whether a stored payload is AES-GCM ciphertext. */
export function isEncrypted(text: string): boolean {
  return text.startsWith(ENCRYPTED_PREFIX);
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
    throw new Error(`payload is not valid JSON (${(error as Error).message}): ${JSON.stringify(preview)}`);
  }
}

/** Plain JSON text. Refuses encrypted payloads with a message saying which setting is missing. */
export const jsonCodec: PayloadCodec = Object.freeze({
  kind: "json" as const,
  encode: toJson,
  decode(text: string): unknown {
    if (isEncrypted(text)) {
      throw new Error("this payload is encrypted: set WEFT_CODEC_KEY to the key it was written with");
    }
    return parseJson(text);
  },
});

/**
 * AES-256-GCM with a 32-byte key. Decoding text without the prefix reads it as JSON (rows
 * written before the key was set); a wrong key or an altered payload is an error.
 */
export function aesGcmCodec(key: Uint8Array): PayloadCodec {
  if (!(key instanceof Uint8Array) || key.byteLength !== KEY_BYTES) {
    const got = key instanceof Uint8Array ? `${key.byteLength} bytes` : typeof key;
    throw new Error(`the AES-256-GCM payload key must be exactly ${KEY_BYTES} bytes, not ${got}`);
  }
  // A private copy: the caller may reuse or zero its buffer.
  const secret = Buffer.from(key);
  return Object.freeze({
    kind: "aes-256-gcm" as const,
    encode(value: unknown): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", secret, iv);
      const ciphertext = Buffer.concat([cipher.update(toJson(value), "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ENCRYPTED_PREFIX + Buffer.concat([iv, tag, ciphertext]).toString("base64");
    },
    decode(text: string): unknown {
      if (!isEncrypted(text)) return parseJson(text);
      const body = text.slice(ENCRYPTED_PREFIX.length);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
        throw new Error("malformed encrypted payload: its body is not base64");
      }
      const bytes = Buffer.from(body, "base64");
      if (bytes.length < IV_BYTES + TAG_BYTES) {
        throw new Error(`malformed encrypted payload: ${bytes.length} bytes, shorter than its IV and tag`);
      }
      const iv = bytes.subarray(0, IV_BYTES);
      const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
      const ciphertext = bytes.subarray(IV_BYTES + TAG_BYTES);
      let plaintext: string;
      try {
        const decipher = createDecipheriv("aes-256-gcm", secret, iv);
        decipher.setAuthTag(tag);
        plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
      } catch {
        throw new Error(
          "cannot decrypt payload: WEFT_CODEC_KEY is not the key it was written with, or the stored payload was altered",
        );
      }
      return parseJson(plaintext);
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

/** The codec the environment asks for: JSON without WEFT_CODEC_KEY, AES-256-GCM with it. */
export function codecFromEnv(env: Record<string, string | undefined> = process.env): PayloadCodec {
  const key = env.WEFT_CODEC_KEY;
  if (key === undefined) return jsonCodec;
  return aesGcmCodec(parseCodecKey(key));
}
