// Run ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the creation time in epoch
// milliseconds. Ids made at about the same time sort next to each other, so the rows of runs
// started together (their history, their tasks) share index pages: a group commit of a hundred
// runs' steps writes a few index pages instead of a hundred scattered ones (random version 4
// ids did that), on SQLite and PostgreSQL alike.

import { randomFillSync } from "node:crypto";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const bytes = new Uint8Array(16);

export function newRunId(now = Date.now()): string {
  randomFillSync(bytes, 6, 10);
  // 48-bit big-endian milliseconds
  let t = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const h = (i: number) => HEX[bytes[i]!]!;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}
