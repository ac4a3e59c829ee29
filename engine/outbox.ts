// What the demo plugins did outside Weft (plugins/demo.mjs): each e-mail `notify.email` would
// have sent and each payment `bank.transfer` would have made is one JSON line of the outbox file
// (WEFT_OUTBOX, default ./data/outbox.jsonl), with the run and node it came from. The app's
// Outbox page shows them, newest first, so that a person trying Weft sees what a run did.

import { open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { OutboxEntry } from "./views.ts";

/** The tail of the file that is read: the newest entries, never the whole of a large file. */
const TAIL_BYTES = 1024 * 1024;

export function outboxPath(): string {
  return resolve(process.env.WEFT_OUTBOX ?? "./data/outbox.jsonl");
}

/**
 * The newest `limit` entries, newest first; of the same run, only `workflowId` when given. A
 * missing file is an empty outbox; a line that is not an entry (cut by the tail, or written by
 * hand) is skipped. A payment made again by a retried attempt shows once (its id).
 */
export async function readOutbox(options: { limit?: number; workflowId?: string; file?: string } = {}): Promise<OutboxEntry[]> {
  const file = options.file ?? outboxPath();
  let text: string;
  try {
    const size = (await stat(file)).size;
    const handle = await open(file, "r");
    try {
      const start = Math.max(0, size - TAIL_BYTES);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString("utf8");
      if (start > 0) text = text.slice(text.indexOf("\n") + 1);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: OutboxEntry[] = [];
  const payments = new Set<string>();
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0 && out.length < (options.limit ?? 200); i--) {
    const entry = entryOf(lines[i]!);
    if (!entry) continue;
    if (options.workflowId !== undefined && entry.workflowId !== options.workflowId) continue;
    if (entry.kind === "payment" && entry.id !== undefined) {
      if (payments.has(entry.id)) continue;
      payments.add(entry.id);
    }
    out.push(entry);
  }
  return out;
}

function entryOf(line: string): OutboxEntry | undefined {
  if (line.trim() === "") return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== "object" || typeof raw.at !== "string") return undefined;
  const s = (v: unknown) => (typeof v === "string" ? v : undefined);
  const from = { ...(s(raw.workflowId) ? { workflowId: s(raw.workflowId) } : {}), ...(s(raw.nodeId) ? { nodeId: s(raw.nodeId) } : {}) };
  if (raw.kind === "payment") {
    return { kind: "payment", at: raw.at, ...(s(raw.id) ? { id: s(raw.id) } : {}), from: s(raw.from) ?? "", to: s(raw.to) ?? "", amount: typeof raw.amount === "number" ? raw.amount : Number(raw.amount), ...from };
  }
  // E-mails (lines from before entries had a kind are e-mails too).
  if (typeof raw.to !== "string") return undefined;
  return { kind: "email", at: raw.at, to: raw.to, subject: s(raw.subject) ?? "", body: s(raw.body) ?? "", ...from };
}
