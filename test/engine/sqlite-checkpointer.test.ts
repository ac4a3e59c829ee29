// WAL checkpoints in a background thread: under a steady stream of commits a passive
// checkpoint never catches up with the log, so the log would never start over; past a bound
// the checkpointer restarts it, and the WAL file stays a fraction of its size without that.
import { statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../engine/storage/database.ts";
import { startBackgroundCheckpoints } from "../../engine/storage/sqlite-checkpointer.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("checkpoints");
afterAll(() => databases.cleanup());

/** Commits for `ms` without pause; returns the bytes written and the largest the WAL file got. */
async function steadyCommits(restartFrames: number, ms: number): Promise<{ written: number; largest: number }> {
  const url = databases.freshUrl("sqlite");
  const db = await openDatabase({ url, prisma: false });
  const stop = startBackgroundCheckpoints(db, { intervalMs: 10, restartFrames });
  const wal = `${url.slice("file:".length)}-wal`;
  const document = "x".repeat(8000);
  let written = 0;
  let largest = 0;
  try {
    const until = Date.now() + ms;
    for (let i = 0; Date.now() < until; i++) {
      // One commit after another, as a busy worker's group commits come.
      await new Promise((resolve) => setImmediate(resolve));
      await db.transaction(async (tx) => {
        for (let k = 0; k < 8; k++) {
          await tx.execute(
            "INSERT INTO draft (name, document, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            [`d${(i * 8 + k) % 400}`, document, Date.now()],
          );
        }
      });
      written += 8 * document.length;
      largest = Math.max(largest, statSync(wal).size);
    }
  } finally {
    await stop();
    await db.close();
  }
  return { written, largest };
}

describe("background checkpoints on SQLite", () => {
  it("restart the log past a bound, so the WAL stays bounded while commits never stop", async () => {
    const passiveOnly = await steadyCommits(Number.MAX_SAFE_INTEGER, 1500);
    const restarting = await steadyCommits(256, 1500);
    console.info(
      `WAL file: ${(passiveOnly.largest / 1e6).toFixed(1)} MB with passive checkpoints only, ${(restarting.largest / 1e6).toFixed(1)} MB restarting past 256 pages ` +
        `(${(restarting.written / 1e6).toFixed(0)} MB written)`,
    );
    expect(restarting.written).toBeGreaterThan(4 * restarting.largest);
    expect(restarting.largest).toBeLessThan(passiveOnly.largest / 2);
  }, 20_000);
});
