import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCipheriv, createHash } from "node:crypto";
import {
  aesGcmCodec,
  CodecError,
  codecFromEnv,
  ENCRYPTED_PREFIX,
  generateCodecKey,
  isEncrypted,
  jsonCodec,
  keyFingerprint,
  parseCodecKey,
  payloadKey,
  showingUndecryptable,
} from "../../engine/codec.ts";

/** The body of an encrypted payload: the bytes after "aes256gcm:<fingerprint>:". */
function bodyOf(text: string): Buffer {
  return Buffer.from(text.slice(ENCRYPTED_PREFIX.length + 17), "base64");
}

const values: unknown[] = [
  null,
  0,
  -1.5,
  1e300,
  Number.MAX_SAFE_INTEGER,
  true,
  false,
  "",
  "plain text",
  "unicode: ünïcödé 日本語 🎉",
  "aes256gcm:looks like a prefix but is a string value",
  [],
  [1, "two", null, { three: 3 }],
  {},
  { orderId: "o-1", sku: "widget", qty: 2, nested: { deep: [{ a: 1 }, { b: [true, false] }] } },
  { big: "x".repeat(100_000) },
];

describe.each([
  ["json", jsonCodec],
  ["aes-256-gcm", aesGcmCodec(randomBytes(32))],
] as const)("%s codec", (kind, codec) => {
  it("has its kind", () => {
    expect(codec.kind).toBe(kind);
  });

  it.each(values.map((v) => [JSON.stringify(v).slice(0, 40), v]))("round-trips %s", (_label, value) => {
    const text = codec.encode(value);
    expect(typeof text).toBe("string");
    expect(codec.decode(text)).toEqual(value);
  });

  it("encodes undefined like null", () => {
    expect(codec.decode(codec.encode(undefined))).toBeNull();
  });

  it("drops undefined properties and turns dates into ISO strings, like JSON", () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    expect(codec.decode(codec.encode({ a: undefined, b: 1, at }))).toEqual({ b: 1, at: "2026-01-01T00:00:00.000Z" });
  });
});

describe("json codec", () => {
  it("stores JSON text", () => {
    expect(jsonCodec.encode({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(jsonCodec.encode(undefined)).toBe("null");
  });

  it("refuses encrypted payloads, naming the setting and the key", () => {
    const key = randomBytes(32);
    const encrypted = aesGcmCodec(key).encode({ secret: 1 });
    expect(() => jsonCodec.decode(encrypted)).toThrow(CodecError);
    expect(() => jsonCodec.decode(encrypted)).toThrow(
      `this payload is encrypted (key ${keyFingerprint(key)}): set WEFT_CODEC_KEY to the key it was written with`,
    );
  });

  it("reports text that is not JSON", () => {
    expect(() => jsonCodec.decode("{nope")).toThrow(/payload is not valid JSON/);
  });
});

describe("aes-256-gcm codec", () => {
  const key = randomBytes(32);
  const codec = aesGcmCodec(key);

  it("writes the documented format: prefix, the key's fingerprint, base64 of iv | tag | ciphertext", () => {
    const text = codec.encode({ hello: "world" });
    const fingerprint = createHash("sha256").update(key).digest("hex").slice(0, 16);
    expect(text.startsWith(`${ENCRYPTED_PREFIX}${fingerprint}:`)).toBe(true);
    expect(isEncrypted(text)).toBe(true);
    expect(payloadKey(text)).toBe(fingerprint);
    expect(codec.keys).toEqual([fingerprint]);
    expect(bodyOf(text).length).toBe(12 + 16 + JSON.stringify({ hello: "world" }).length);
  });

  it("uses a fresh IV for every payload", () => {
    const texts = new Set(Array.from({ length: 50 }, () => codec.encode({ same: "value" })));
    expect(texts.size).toBe(50);
    const ivs = new Set([...texts].map((t) => bodyOf(t).subarray(0, 12).toString("hex")));
    expect(ivs.size).toBe(50);
  });

  it("leaves no fragment of the plaintext in the ciphertext", () => {
    const secret = {
      cardNumber: "4111111111111111",
      holder: "Ada Lovelace",
      note: "top-secret-marker",
      amount: 123456789,
    };
    const text = codec.encode(secret);
    for (const fragment of ["4111", "Ada", "Lovelace", "top-secret", "marker", "cardNumber", "holder", "123456789", "{", "\""]) {
      expect(text).not.toContain(fragment);
    }
    // nor in base64 of the plaintext, nor in the raw bytes
    const raw = bodyOf(text);
    expect(raw.includes(Buffer.from("Lovelace"))).toBe(false);
    expect(raw.includes(Buffer.from("top-secret-marker"))).toBe(false);
    expect(text).not.toContain(Buffer.from(JSON.stringify(secret)).toString("base64").slice(0, 12));
  });

  it("detects any tampering", () => {
    const text = codec.encode({ amount: 100, to: "alice" });
    const head = text.slice(0, ENCRYPTED_PREFIX.length + 17);
    const bytes = bodyOf(text);
    // flip one bit in the IV, the tag, and the ciphertext in turn
    for (const index of [0, 11, 12, 27, 28, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] ^= 0x01;
      expect(() => codec.decode(head + altered.toString("base64")), `byte ${index}`).toThrow(
        /cannot decrypt payload: WEFT_CODEC_KEY is not the key it was written with, or the stored payload was altered/,
      );
    }
    // a truncated payload
    expect(() => codec.decode(head + bytes.subarray(0, bytes.length - 1).toString("base64"))).toThrow(/cannot decrypt/);
    expect(() => codec.decode(head + bytes.subarray(0, 20).toString("base64"))).toThrow(/malformed encrypted payload/);
    expect(() => codec.decode(head + "not base64 at all!")).toThrow(/malformed encrypted payload/);
    // the fingerprint is authenticated with the payload: one changed for another key's fails
    const other = aesGcmCodec([key, randomBytes(32)]);
    const relabelled = `${ENCRYPTED_PREFIX}${other.keys[1]}:${bytes.toString("base64")}`;
    expect(() => aesGcmCodec([randomBytes(32), key]).decode(text)).not.toThrow();
    expect(() => other.decode(relabelled)).toThrow(/cannot decrypt/);
  });

  it("refuses a payload written with another key, naming that key's fingerprint", () => {
    const other = aesGcmCodec(randomBytes(32));
    expect(() => other.decode(codec.encode({ a: 1 }))).toThrow(CodecError);
    expect(() => other.decode(codec.encode({ a: 1 }))).toThrow(
      `cannot decrypt payload: it was written with key ${keyFingerprint(key)}, which is not among this process's keys (${other.keys[0]}): add that key to WEFT_CODEC_KEYS`,
    );
  });

  it("reads payloads written before they named their key (prefix and base64 only), with any of its keys", () => {
    // The format of earlier versions: no fingerprint, no additional data.
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ old: true }), "utf8"), cipher.final()]);
    const legacy = ENCRYPTED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64");
    expect(payloadKey(legacy)).toBeUndefined();
    expect(codec.decode(legacy)).toEqual({ old: true });
    expect(aesGcmCodec([randomBytes(32), key]).decode(legacy)).toEqual({ old: true });
    expect(() => aesGcmCodec(randomBytes(32)).decode(legacy)).toThrow(/WEFT_CODEC_KEY is not the key it was written with/);
  });

  it("rotates keys: writes with the first of several, reads with any", () => {
    const next = randomBytes(32);
    const rotating = aesGcmCodec([next, key]);
    expect(rotating.keys).toEqual([keyFingerprint(next), keyFingerprint(key)]);
    const old = codec.encode({ under: "old" });
    const fresh = rotating.encode({ under: "new" });
    expect(payloadKey(fresh)).toBe(keyFingerprint(next));
    expect(rotating.decode(old)).toEqual({ under: "old" });
    expect(rotating.decode(fresh)).toEqual({ under: "new" });
    expect(aesGcmCodec(next).decode(fresh)).toEqual({ under: "new" });
    expect(() => codec.decode(fresh)).toThrow(/add that key to WEFT_CODEC_KEYS/);
  });

  it("shows a payload it cannot read as an { undecryptable } marker, for views only", () => {
    const shown = showingUndecryptable(aesGcmCodec(randomBytes(32)));
    expect(shown.decode(codec.encode({ secret: 1 }))).toEqual({ undecryptable: expect.stringMatching(/^cannot decrypt payload: it was written with key [0-9a-f]{16}/) });
    expect(showingUndecryptable(jsonCodec).decode(codec.encode(1))).toEqual({ undecryptable: expect.stringMatching(/^this payload is encrypted/) });
    expect(shown.decode('{"plain":1}')).toEqual({ plain: 1 });
  });

  it("reads plain JSON rows written before the key was set", () => {
    expect(codec.decode(jsonCodec.encode({ old: "row" }))).toEqual({ old: "row" });
    expect(codec.decode("null")).toBeNull();
  });

  it("is not affected by later changes to the caller's key buffer", () => {
    const buffer = new Uint8Array(randomBytes(32));
    const c = aesGcmCodec(buffer);
    const text = c.encode("x");
    buffer.fill(0);
    expect(c.decode(text)).toBe("x");
  });

  it("requires a 32-byte key", () => {
    expect(() => aesGcmCodec(randomBytes(16))).toThrow(/exactly 32 bytes, not 16 bytes/);
    expect(() => aesGcmCodec("key" as unknown as Uint8Array)).toThrow(/exactly 32 bytes/);
  });
});

describe("codecFromEnv", () => {
  it("is JSON without WEFT_CODEC_KEY", () => {
    expect(codecFromEnv({})).toBe(jsonCodec);
  });

  it("is AES-256-GCM with a valid key, and two processes with the same key read each other's payloads", () => {
    const key = generateCodecKey();
    const a = codecFromEnv({ WEFT_CODEC_KEY: key });
    const b = codecFromEnv({ WEFT_CODEC_KEY: ` ${key}\n` });
    expect(a.kind).toBe("aes-256-gcm");
    expect(b.decode(a.encode({ shared: true }))).toEqual({ shared: true });
  });

  it("accepts URL-safe base64 and a key without padding", () => {
    const bytes = randomBytes(32);
    const url = bytes.toString("base64url");
    expect(Buffer.from(parseCodecKey(url))).toEqual(bytes);
    expect(Buffer.from(parseCodecKey(bytes.toString("base64").replace(/=+$/, "")))).toEqual(bytes);
  });

  it.each([
    ["", /WEFT_CODEC_KEY is empty/],
    ["not base64!", /WEFT_CODEC_KEY is not base64/],
    [randomBytes(16).toString("base64"), /WEFT_CODEC_KEY decodes to 16 bytes, but AES-256-GCM needs exactly 32 bytes/],
    [randomBytes(33).toString("base64"), /decodes to 33 bytes/],
    ["a".repeat(64), /decodes to 48 bytes/],
  ])("explains a bad key %j and how to make one", (key, message) => {
    let error: Error | undefined;
    try {
      codecFromEnv({ WEFT_CODEC_KEY: key });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(message);
    expect(error!.message).toContain("openssl rand -base64 32");
    expect(error!.message).toContain(`node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`);
  });

  it("reads WEFT_CODEC_KEYS, newest first: writes with the first, reads with every one", () => {
    const [a, b] = [generateCodecKey(), generateCodecKey()];
    const rotating = codecFromEnv({ WEFT_CODEC_KEYS: `${b}, ${a}` });
    expect(rotating.keys).toEqual([keyFingerprint(parseCodecKey(b)), keyFingerprint(parseCodecKey(a))]);
    expect(rotating.decode(codecFromEnv({ WEFT_CODEC_KEY: a }).encode("old"))).toBe("old");
    expect(codecFromEnv({ WEFT_CODEC_KEYS: `${b},${a}`, WEFT_CODEC_KEY: a }).keys).toEqual(rotating.keys);
    expect(() => codecFromEnv({ WEFT_CODEC_KEYS: `${b},${a}`, WEFT_CODEC_KEY: generateCodecKey() })).toThrow(/WEFT_CODEC_KEY is not one of WEFT_CODEC_KEYS/);
    expect(() => codecFromEnv({ WEFT_CODEC_KEYS: `${a},${a}` })).toThrow(/lists the same key twice \(keys 1 and 2\)/);
    expect(() => codecFromEnv({ WEFT_CODEC_KEYS: `${a},nope!` })).toThrow(/WEFT_CODEC_KEYS \(key 2\) is not base64/);
  });

  it("generates keys it accepts", () => {
    const key = generateCodecKey();
    expect(key).toHaveLength(44);
    expect(parseCodecKey(key)).toHaveLength(32);
  });
});
