import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  aesGcmCodec,
  codecFromEnv,
  ENCRYPTED_PREFIX,
  generateCodecKey,
  isEncrypted,
  jsonCodec,
  parseCodecKey,
} from "../../engine/codec.ts";

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

  it("refuses encrypted payloads, naming the setting", () => {
    const encrypted = aesGcmCodec(randomBytes(32)).encode({ secret: 1 });
    expect(() => jsonCodec.decode(encrypted)).toThrow(
      "this payload is encrypted: set WEFT_CODEC_KEY to the key it was written with",
    );
  });

  it("reports text that is not JSON", () => {
    expect(() => jsonCodec.decode("{nope")).toThrow(/payload is not valid JSON/);
  });
});

describe("aes-256-gcm codec", () => {
  const key = randomBytes(32);
  const codec = aesGcmCodec(key);

  it("writes the documented format: prefix, base64 of iv | tag | ciphertext", () => {
    const text = codec.encode({ hello: "world" });
    expect(text.startsWith(ENCRYPTED_PREFIX)).toBe(true);
    expect(isEncrypted(text)).toBe(true);
    const bytes = Buffer.from(text.slice(ENCRYPTED_PREFIX.length), "base64");
    expect(bytes.length).toBe(12 + 16 + JSON.stringify({ hello: "world" }).length);
  });

  it("uses a fresh IV for every payload", () => {
    const texts = new Set(Array.from({ length: 50 }, () => codec.encode({ same: "value" })));
    expect(texts.size).toBe(50);
    const ivs = new Set([...texts].map((t) => Buffer.from(t.slice(ENCRYPTED_PREFIX.length), "base64").subarray(0, 12).toString("hex")));
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
    const raw = Buffer.from(text.slice(ENCRYPTED_PREFIX.length), "base64");
    expect(raw.includes(Buffer.from("Lovelace"))).toBe(false);
    expect(raw.includes(Buffer.from("top-secret-marker"))).toBe(false);
    expect(text).not.toContain(Buffer.from(JSON.stringify(secret)).toString("base64").slice(0, 12));
  });

  it("detects any tampering", () => {
    const text = codec.encode({ amount: 100, to: "alice" });
    const bytes = Buffer.from(text.slice(ENCRYPTED_PREFIX.length), "base64");
    // flip one bit in the IV, the tag, and the ciphertext in turn
    for (const index of [0, 11, 12, 27, 28, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] ^= 0x01;
      expect(() => codec.decode(ENCRYPTED_PREFIX + altered.toString("base64")), `byte ${index}`).toThrow(
        /cannot decrypt payload: WEFT_CODEC_KEY is not the key it was written with, or the stored payload was altered/,
      );
    }
    // a truncated payload
    expect(() => codec.decode(ENCRYPTED_PREFIX + bytes.subarray(0, bytes.length - 1).toString("base64"))).toThrow(/cannot decrypt/);
    expect(() => codec.decode(ENCRYPTED_PREFIX + bytes.subarray(0, 20).toString("base64"))).toThrow(/malformed encrypted payload/);
    expect(() => codec.decode(ENCRYPTED_PREFIX + "not base64 at all!")).toThrow(/malformed encrypted payload/);
  });

  it("refuses a payload written with another key", () => {
    const other = aesGcmCodec(randomBytes(32));
    expect(() => other.decode(codec.encode({ a: 1 }))).toThrow(/WEFT_CODEC_KEY is not the key it was written with/);
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

  it("generates keys it accepts", () => {
    const key = generateCodecKey();
    expect(key).toHaveLength(44);
    expect(parseCodecKey(key)).toHaveLength(32);
  });
});
