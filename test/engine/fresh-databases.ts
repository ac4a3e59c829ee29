// Databases nobody has used yet, for tests: SQLite files in a temp directory and PostgreSQL
// schemas on the server at 127.0.0.1:5432, dropped again (only those this run created).

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const PG_URL = process.env.WEFT_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export function freshDatabases(prefix: string): { freshUrl(kind: "sqlite" | "postgresql"): string; tempDir: string; cleanup(): Promise<void> } {
  const runTag = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const tempDir = mkdtempSync(join(tmpdir(), `weft-${prefix}-`));
  const schemas: string[] = [];
  let fresh = 0;
  return {
    tempDir,
    freshUrl(kind) {
      fresh++;
      if (kind === "sqlite") return `file:${join(tempDir, `weft-${fresh}.db`)}`;
      const schema = `weft_test_${runTag}_${fresh}`;
      schemas.push(schema);
      return `${PG_URL}?schema=${schema}`;
    },
    async cleanup() {
      rmSync(tempDir, { recursive: true, force: true });
      if (schemas.length === 0) return;
      const client = new pg.Client(PG_URL);
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
