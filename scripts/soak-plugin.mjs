// The crash soak's activity (scripts/soak.ts), loaded by its `weft worker` processes with
// --activities. Plain objects, nothing imported from Weft.
//
// soak.work takes a while (input.minMs to input.maxMs, heartbeating), so that SIGKILLs land in
// the middle of attempts, and appends to the file SOAK_LOG one line as an attempt starts and
// one as it ends: the soak checks from them that no attempt ran twice uncounted. Before its
// start line it reads the run's history for a recorded completion of its own step: an attempt
// that starts after that is a step run again after its completion was recorded, which the
// engine must never do (the soak counts it as a violation).
import { appendFileSync } from "node:fs";

const log = process.env.SOAK_LOG;

function appendLine(value) {
  // One write per line, synchronously: a process killed right after still leaves it behind.
  if (log) appendFileSync(log, `${JSON.stringify(value)}\n`);
}

/** A read-only look at this worker's database, opened once (DATABASE_URL, as the worker's). */
let reader;
async function completionsOf(runId, nodeId) {
  reader ??= openReader(process.env.DATABASE_URL ?? "");
  return (await reader)(runId, nodeId);
}

async function openReader(url) {
  const sql = "SELECT COUNT(*) AS n FROM history_event WHERE run_id = $1 AND node_id = $2 AND type = 'ActivityCompleted'";
  if (url.startsWith("postgres")) {
    const { default: pg } = await import("pg");
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? "public";
    parsed.searchParams.delete("schema");
    const pool = new pg.Pool({ connectionString: parsed.toString(), max: 2, options: `-c search_path=${schema}` });
    pool.on("error", () => {});
    return async (runId, nodeId) => Number((await pool.query(sql, [runId, nodeId])).rows[0].n);
  }
  const { default: Database } = await import("better-sqlite3");
  const file = url.replace(/^file:(\/\/)?/, "").replace(/\?.*$/, "");
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  const statement = db.prepare(sql.replace("$1", "?").replace("$2", "?"));
  return async (runId, nodeId) => Number(statement.get(runId, nodeId).n);
}

export default [
  {
    name: "soak.work",
    title: "Soak: work a while",
    inputSchema: {
      type: "object",
      required: ["minMs", "maxMs"],
      properties: { minMs: { type: "number", minimum: 0 }, maxMs: { type: "number", minimum: 0 } },
    },
    async run(input, ctx) {
      const { runId, nodeId, workflowId } = ctx.info;
      const afterCompletion = (await completionsOf(runId, nodeId)) > 0;
      const line = { workflowId, runId, nodeId, attempt: ctx.attempt, pid: process.pid };
      appendLine({ ...line, event: "start", at: Date.now(), ...(afterCompletion ? { afterCompletion } : {}) });
      const ms = input.minMs + Math.random() * (input.maxMs - input.minMs);
      await new Promise((resolve, reject) => {
        const beat = setInterval(() => ctx.heartbeat({ at: Date.now() }), 100);
        const done = setTimeout(() => {
          clearInterval(beat);
          resolve();
        }, ms);
        ctx.signal.addEventListener(
          "abort",
          () => {
            clearInterval(beat);
            clearTimeout(done);
            reject(ctx.signal.reason);
          },
          { once: true },
        );
      });
      appendLine({ ...line, event: "end", at: Date.now() });
      return { nodeId, attempt: ctx.attempt };
    },
  },
];
