// The storage foundation, on both databases: a fresh SQLite file in a temp directory and the
// real PostgreSQL (a fresh schema per test run, dropped afterwards).
import { spawn } from "node:child_process";
import { cpSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, parseDatabaseUrl, type Database } from "../../engine/storage/database.ts";
import { defaultMigrationsDir, loadMigrations, migrate } from "../../engine/storage/migrate.ts";
import { toDollarPlaceholders } from "../../engine/storage/placeholders.ts";
import { freshDatabases } from "./fresh-databases.ts";

const databases = freshDatabases("storage");
/** A database URL nobody has used yet. */
const freshUrl = databases.freshUrl;
const tempDir = databases.tempDir;
afterAll(() => databases.cleanup());

const now = 1_790_000_000_123; // an instant in 2026, in epoch ms: above 2^32, below 2^53

describe.each(["sqlite", "postgresql"] as const)("storage on %s", (kind) => {
  let db: Database;
  const migrationIds = loadMigrations(defaultMigrationsDir(kind)).map((migration) => migration.id);

  beforeAll(async () => {
    db = await openDatabase({ url: freshUrl(kind) });
  });
  afterAll(async () => {
    await db?.close();
  });

  async function deploy(name: string, version = 1): Promise<void> {
    await db.prisma.workflowVersion.create({
      data: { name, version, hash: `${name}-h${version}`, document: "{}", source: "// ts", code: "// js", createdAt: now },
    });
  }

  function runRow(runId: string, workflowId: string, name: string, status = "running") {
    return {
      runId,
      workflowId,
      name,
      version: 1,
      hash: `${name}-h1`,
      status,
      startedAt: now,
      firstRunId: runId,
      updatedAt: now,
    };
  }

  it("opens the right kind of database and records the applied migrations", async () => {
    expect(db.kind).toBe(kind);
    const rows = await db.query<{ id: string }>("SELECT id FROM _weft_migrations ORDER BY id");
    expect(rows.map((row) => row.id)).toEqual(migrationIds);
  });

  it("serves every query the Prisma client makes on a database migrated by our migrator", async () => {
    const p = db.prisma;

    // WorkflowVersion: composite id, indexed (name, hash)
    await deploy("order-item", 1);
    await deploy("order-item", 2);
    expect(await p.workflowVersion.findUnique({ where: { name_version: { name: "order-item", version: 2 } } })).toMatchObject({
      hash: "order-item-h2",
      createdAt: now,
    });
    expect(await p.workflowVersion.findFirst({ where: { name: "order-item", hash: "order-item-h1" } })).toMatchObject({ version: 1 });
    const newest = await p.workflowVersion.findFirst({ where: { name: "order-item" }, orderBy: { version: "desc" } });
    expect(newest?.version).toBe(2);
    await expect(deploy("order-item", 2)).rejects.toMatchObject({ code: "P2002" });

    // Draft: upsert both ways
    await p.draft.upsert({ where: { name: "d" }, create: { name: "d", document: "{\"a\":1}", updatedAt: now }, update: {} });
    await p.draft.upsert({ where: { name: "d" }, create: { name: "d", document: "x", updatedAt: now }, update: { document: "{\"a\":2}", updatedAt: now + 1 } });
    expect(await p.draft.findUnique({ where: { name: "d" } })).toEqual({ name: "d", document: "{\"a\":2}", updatedAt: now + 1, updatedBy: null, revision: 1 });

    // Run with every column set, and a relation to its version
    const run = await p.run.create({
      data: {
        ...runRow("run-1", "wf-1", "order-item"),
        input: "{\"amount\":5}",
        result: null,
        error: null,
        closedAt: null,
        continuedFromRunId: null,
      },
    });
    expect(run).toMatchObject({ runId: "run-1", nextSeq: 1, startedAt: now, closedAt: null });
    expect(typeof run.startedAt).toBe("number");

    // HistoryEvent: createMany, ordered reads, composite key
    await p.historyEvent.createMany({
      data: [
        { runId: "run-1", seq: 1, type: "RunStarted", at: now, data: "{}" },
        { runId: "run-1", seq: 2, type: "ActivityScheduled", at: now + 1, nodeId: "init", attempt: 1, data: "{}" },
      ],
    });
    expect(await p.historyEvent.findUnique({ where: { runId_seq: { runId: "run-1", seq: 2 } } })).toMatchObject({ nodeId: "init", attempt: 1, at: now + 1 });
    await expect(p.historyEvent.create({ data: { runId: "run-1", seq: 2, type: "Dup", at: now } })).rejects.toMatchObject({ code: "P2002" });
    // Foreign key: no history for a run that does not exist, on SQLite. PostgreSQL has none
    // there (migration 20261122030000_hot_path: a per-row check on the hot path); the engine
    // writes history only for runs it holds.
    if (kind === "sqlite") {
      await expect(p.historyEvent.create({ data: { runId: "no-such-run", seq: 1, type: "X", at: now } })).rejects.toMatchObject({ code: "P2003" });
    }

    // Task: autoincrement BigInt id, nullable lease columns
    const task = await p.task.create({ data: { runId: "run-1", kind: "activity", dueAt: now, nodeId: "init", attempt: 1, data: "{}" } });
    expect(typeof task.id).toBe("bigint");
    const leased = await p.task.update({ where: { id: task.id }, data: { leaseOwner: "w1", leaseUntil: now + 30_000 } });
    expect(leased).toMatchObject({ leaseOwner: "w1", leaseUntil: now + 30_000 });
    expect(await p.task.count({ where: { dueAt: { lte: now }, leaseOwner: { not: null } } })).toBe(1);

    // Signal: pending ones in order
    await p.signal.create({ data: { runId: "run-1", name: "approve", nodeId: "ok", payload: "{\"by\":\"ann\"}", receivedAt: now } });
    await p.signal.create({ data: { runId: "run-1", name: "decline", receivedAt: now + 1 } });
    const pending = await p.signal.findMany({ where: { runId: "run-1", consumedSeq: null }, orderBy: { id: "asc" } });
    expect(pending.map((signal) => signal.name)).toEqual(["approve", "decline"]);
    await p.signal.update({ where: { id: pending[0].id }, data: { consumedSeq: 3 } });
    expect(await p.signal.count({ where: { runId: "run-1", consumedSeq: null } })).toBe(1);

    // Worker
    await p.worker.create({ data: { id: "w1", host: "h", pid: 42, startedAt: now, heartbeatAt: now } });
    await p.worker.update({ where: { id: "w1" }, data: { heartbeatAt: now + 5 } });
    expect(await p.worker.findMany({ where: { heartbeatAt: { gt: now } } })).toHaveLength(1);

    // Relations both ways, update of a run, aggregate, groupBy
    const loaded = await p.run.findUnique({
      where: { runId: "run-1" },
      include: { events: { orderBy: { seq: "asc" } }, tasks: true, signals: true, workflow: true },
    });
    expect(loaded?.events.map((event) => event.seq)).toEqual([1, 2]);
    expect(loaded?.tasks).toHaveLength(1);
    expect(loaded?.signals).toHaveLength(2);
    expect(loaded?.workflow.version).toBe(1);
    await p.run.update({ where: { runId: "run-1" }, data: { nextSeq: { increment: 2 }, updatedAt: now + 9 } });
    expect((await p.run.findUniqueOrThrow({ where: { runId: "run-1" } })).nextSeq).toBe(3);
    expect((await p.historyEvent.aggregate({ where: { runId: "run-1" }, _max: { seq: true } }))._max.seq).toBe(2);
    expect(await p.run.groupBy({ by: ["status"], _count: { _all: true } })).toEqual([{ status: "running", _count: { _all: 1 } }]);

    // Interactive and batch transactions, with rollback
    await expect(
      p.$transaction(async (ptx) => {
        await ptx.draft.create({ data: { name: "in-tx", document: "{}", updatedAt: now } });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await p.draft.findUnique({ where: { name: "in-tx" } })).toBeNull();
    await p.$transaction([
      p.draft.create({ data: { name: "batch-1", document: "{}", updatedAt: now } }),
      p.draft.create({ data: { name: "batch-2", document: "{}", updatedAt: now } }),
    ]);
    expect(await p.draft.count({ where: { name: { startsWith: "batch-" } } })).toBe(2);

    // Raw SQL through Prisma works too
    const raw = await p.$queryRawUnsafe<Array<{ n: unknown }>>("SELECT count(*) AS n FROM history_event");
    expect(Number(raw[0].n)).toBe(2);

    // Deleting a run cascades to its history, tasks and signals
    await p.run.delete({ where: { runId: "run-1" } });
    expect(await p.historyEvent.count({ where: { runId: "run-1" } })).toBe(0);
    expect(await p.task.count({ where: { runId: "run-1" } })).toBe(0);
    expect(await p.signal.count({ where: { runId: "run-1" } })).toBe(0);
  });

  it("refuses a second open run with the same workflow id, as a database constraint", async () => {
    await deploy("entity");
    await db.prisma.run.create({ data: runRow("e-1", "account-7", "entity") });

    // Through Prisma and through raw SQL alike
    await expect(db.prisma.run.create({ data: runRow("e-2", "account-7", "entity") })).rejects.toMatchObject({ code: "P2002" });
    const insert =
      "INSERT INTO run (run_id, workflow_id, name, version, hash, status, started_at, first_run_id, updated_at) VALUES (?, ?, 'entity', 1, 'entity-h1', ?, ?, ?, ?)";
    await expect(db.execute(insert, ["e-2", "account-7", "running", now, "e-2", now])).rejects.toThrow(/unique/i);

    // Closed runs do not count: after the first closes, a new open run is allowed, and a
    // workflow id may have any number of closed runs.
    await db.execute("UPDATE run SET status = 'completed', closed_at = ? WHERE run_id = ?", [now, "e-1"]);
    expect(await db.execute(insert, ["e-2", "account-7", "running", now, "e-2", now])).toBe(1);
    await db.execute("UPDATE run SET status = 'continued', closed_at = ? WHERE run_id = ?", [now, "e-2"]);
    expect(await db.execute(insert, ["e-3", "account-7", "running", now, "e-3", now])).toBe(1);
    await expect(db.execute(insert, ["e-4", "account-7", "running", now, "e-4", now])).rejects.toThrow(/unique/i);

    // Ten starts racing for one id: exactly one wins (PostgreSQL runs them on ten connections).
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => db.execute(insert, [`race-${i}`, "race", "running", now, `race-${i}`, now])),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);

    // The status CHECK keeps typos out
    await expect(db.execute(insert, ["e-5", "other", "runing", now, "e-5", now])).rejects.toThrow(/check/i);
  });

  it("keeps at most one unclaimed workflow task per run", async () => {
    await deploy("tasks");
    await db.prisma.run.create({ data: runRow("t-1", "tasks-1", "tasks") });
    const wake = "INSERT INTO task (run_id, kind, due_at) VALUES (?, 'workflow', ?) ON CONFLICT DO NOTHING";
    expect(await db.execute(wake, ["t-1", now])).toBe(1);
    expect(await db.execute(wake, ["t-1", now])).toBe(0); // coalesced
    await db.execute("UPDATE task SET lease_owner = 'w1', lease_until = ? WHERE run_id = ? AND kind = 'workflow'", [now + 1000, "t-1"]);
    expect(await db.execute(wake, ["t-1", now])).toBe(1); // a claimed task frees the slot
    // activity tasks and timers are not limited
    await db.execute("INSERT INTO task (run_id, kind, due_at) VALUES (?, 'timer', ?)", ["t-1", now]);
    await db.execute("INSERT INTO task (run_id, kind, due_at) VALUES (?, 'timer', ?)", ["t-1", now]);
    const count = await db.query<{ n: number }>("SELECT count(*) AS n FROM task WHERE run_id = ?", ["t-1"]);
    expect(count).toEqual([{ n: 4 }]); // a number on both databases, not a string or bigint
  });

  it("raw SQL: ? placeholders, RETURNING, numbers for integers and instants", async () => {
    await deploy("raw");
    await db.prisma.run.create({ data: runRow("r-1", "raw-1", "raw") });
    const [task] = await db.query<{ id: number; due_at: number }>(
      "INSERT INTO task (run_id, kind, due_at, data) VALUES (?, 'timer', ?, ?) RETURNING id, due_at",
      ["r-1", now, "it's a '?'"],
    );
    expect(typeof task.id).toBe("number");
    expect(task.due_at).toBe(now);
    const [row] = await db.query<{ data: string; q: string }>("SELECT data, '?' AS q FROM task WHERE id = ?", [task.id]);
    expect(row).toEqual({ data: "it's a '?'", q: "?" });
    expect(await db.query("SELECT 1 AS one WHERE 1 = 0")).toEqual([]);
  });

  it("transactions commit, roll back, and refuse statements that would wait on themselves", async () => {
    await db.transaction(async (tx) => {
      await tx.execute("INSERT INTO draft (name, document, updated_at) VALUES (?, ?, ?)", ["tx-ok", "{}", now]);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.execute("INSERT INTO draft (name, document, updated_at) VALUES (?, ?, ?)", ["tx-bad", "{}", now]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const names = await db.query<{ name: string }>("SELECT name FROM draft WHERE name LIKE 'tx-%' ORDER BY name");
    expect(names.map((row) => row.name)).toEqual(["tx-ok"]);

    await db.transaction(async () => {
      await expect(db.query("SELECT 1 AS one")).rejects.toThrow(/inside db\.transaction/);
      await expect(db.prisma.draft.count()).rejects.toThrow(/inside db\.transaction/);
      await expect(db.transaction(async () => 1)).rejects.toThrow(/inside db\.transaction/);
    });
  });

  it("other async work waits for an open transaction instead of joining it", async () => {
    // Work from another async context (say an HTTP request) that runs while the transaction
    // is open. (Work *started* inside the transaction counts as inside it until it ends.)
    let startOutside!: () => void;
    const outside = new Promise<void>((resolve) => (startOutside = resolve)).then(() =>
      Promise.all([
        db.prisma.draft.create({ data: { name: "wait-prisma", document: "{}", updatedAt: now } }),
        db.execute("INSERT INTO draft (name, document, updated_at) VALUES (?, ?, ?)", ["wait-raw", "{}", now]),
      ]),
    );
    await expect(
      db.transaction(async (tx) => {
        await tx.execute("INSERT INTO draft (name, document, updated_at) VALUES (?, ?, ?)", ["wait-in", "{}", now]);
        startOutside();
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw new Error("roll back the transaction only");
      }),
    ).rejects.toThrow("roll back");
    await outside;
    const names = await db.query<{ name: string }>("SELECT name FROM draft WHERE name LIKE 'wait-%' ORDER BY name");
    expect(names.map((row) => row.name)).toEqual(["wait-prisma", "wait-raw"]);
  });

  it("migration is idempotent and safe with two migrators at once", async () => {
    expect(await migrate(db)).toEqual([]);
    const url = freshUrl(kind);
    const a = await openDatabase({ url, migrate: false, prisma: false });
    const b = await openDatabase({ url, migrate: false, prisma: false });
    try {
      const [fromA, fromB] = await Promise.all([migrate(a), migrate(b)]);
      expect([...fromA, ...fromB].sort()).toEqual(migrationIds);
      expect(await migrate(a)).toEqual([]);
      const ledger = await a.query<{ id: string }>("SELECT id FROM _weft_migrations ORDER BY id");
      expect(ledger.map((row) => row.id)).toEqual(migrationIds);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("several processes starting at once on a fresh database migrate it once", async () => {
    const url = freshUrl(kind);
    const moduleUrl = new URL("../../engine/storage/database.ts", import.meta.url).href;
    const migrateUrl = new URL("../../engine/storage/migrate.ts", import.meta.url).href;
    const code = `
      import { openDatabase } from ${JSON.stringify(moduleUrl)};
      import { migrate } from ${JSON.stringify(migrateUrl)};
      const db = await openDatabase({ migrate: false, prisma: false });
      // All processes loaded and connected: start migrating at the same instant.
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.START_AT) - Date.now()));
      const applied = await migrate(db);
      await db.close();
      console.log(JSON.stringify(applied));`;
    const startAt = String(Date.now() + 3000);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        runNode(["--import", "tsx", "--input-type=module", "-e", code], { ...process.env, DATABASE_URL: url, START_AT: startAt }),
      ),
    );
    const applied = outputs.flatMap((output) => JSON.parse(output.trim().split("\n").at(-1)!) as string[]);
    expect(applied.sort()).toEqual(migrationIds);
    const check = await openDatabase({ url, prisma: false });
    try {
      const ledger = await check.query<{ id: string }>("SELECT id FROM _weft_migrations ORDER BY id");
      expect(ledger.map((row) => row.id)).toEqual(migrationIds);
    } finally {
      await check.close();
    }
  }, 60_000);

  it("refuses a migration edited after it was applied, and one it does not know", async () => {
    const dir = join(tempDir, `migrations-${kind}`);
    cpSync(defaultMigrationsDir(kind), dir, { recursive: true });
    const url = freshUrl(kind);
    const other = await openDatabase({ url, migrate: false, prisma: false });
    try {
      expect(await migrate(other, { dir })).toEqual(migrationIds);
      const first = join(dir, migrationIds[0], "migration.sql");
      writeFileSync(first, "-- edited\n", { flag: "a" });
      await expect(migrate(other, { dir })).rejects.toThrow(/changed after it was applied/);
      await expect(migrate(other, { dir: join(tempDir, "no-migrations-here") }).catch((e: Error) => e.message)).resolves.toMatch(/ENOENT/);
      const empty = join(tempDir, `empty-${kind}`);
      cpSync(dir, empty, { recursive: true, filter: (src) => !src.includes(migrationIds[0]) });
      await expect(migrate(other, { dir: empty })).rejects.toThrow(/newer version/);
    } finally {
      await other.close();
    }
  });

  if (kind === "sqlite") {
    it("runs SQLite in WAL mode with synchronous=FULL, foreign keys and a busy timeout, for Prisma too", async () => {
      const pragma = async (name: string) => Object.values((await db.query(`PRAGMA ${name}`))[0])[0];
      expect(await pragma("journal_mode")).toBe("wal");
      expect(await pragma("synchronous")).toBe(2); // FULL
      expect(await pragma("foreign_keys")).toBe(1);
      expect(await pragma("busy_timeout")).toBe(5000);
      // Prisma's statements run on the same connection, with the same settings.
      const viaPrisma = await db.prisma.$queryRawUnsafe<Array<{ synchronous: unknown }>>("PRAGMA synchronous");
      expect(Number(viaPrisma[0].synchronous)).toBe(2);
    });
  }
});

describe("storage helpers", () => {
  it("prisma/sqlite and prisma/postgresql schemas are current with prisma/models.prisma", async () => {
    await runNode(["prisma/build-schemas.mjs", "--check"], process.env);
  });

  it("parses DATABASE_URL", () => {
    expect(parseDatabaseUrl(undefined, "/srv/app")).toEqual({ kind: "sqlite", file: "/srv/app/data/weft.db" });
    expect(parseDatabaseUrl("", "/srv/app")).toEqual({ kind: "sqlite", file: "/srv/app/data/weft.db" });
    expect(parseDatabaseUrl("file:./x/y.db?connection_limit=1", "/srv/app")).toEqual({ kind: "sqlite", file: "/srv/app/x/y.db" });
    expect(parseDatabaseUrl("file:/abs/y.db", "/srv/app")).toEqual({ kind: "sqlite", file: "/abs/y.db" });
    expect(parseDatabaseUrl("file:///abs/y.db", "/srv/app")).toEqual({ kind: "sqlite", file: "/abs/y.db" });
    expect(parseDatabaseUrl("postgresql://u@h:5432/d?schema=s1&sslmode=disable")).toEqual({
      kind: "postgresql",
      url: "postgresql://u@h:5432/d?sslmode=disable",
      schema: "s1",
    });
    expect(parseDatabaseUrl("postgres://u@h/d")).toMatchObject({ kind: "postgresql", schema: "public" });
    expect(() => parseDatabaseUrl("postgresql://u@h/d?schema=a;b")).toThrow(/plain identifier/);
    expect(() => parseDatabaseUrl("postgresql://u@h/d?schema=Mixed")).toThrow(/lower-case/);
    expect(() => parseDatabaseUrl("mysql://u@h/d")).toThrow(/DATABASE_URL/);
  });

  it("translates ? to $n outside quotes and comments", () => {
    expect(toDollarPlaceholders("SELECT a FROM t WHERE b = ? AND c = ?")).toBe("SELECT a FROM t WHERE b = $1 AND c = $2");
    expect(toDollarPlaceholders("SELECT '?', 'it''s ?', \"?\" FROM t WHERE x = ? -- ?\n AND y = ? /* ? */")).toBe(
      "SELECT '?', 'it''s ?', \"?\" FROM t WHERE x = $1 -- ?\n AND y = $2 /* ? */",
    );
  });

  it("creates the SQLite file's directory", async () => {
    const dir = join(tempDir, "nested", "deeper");
    const db = await openDatabase({ url: `file:${join(dir, "w.db")}`, prisma: false });
    await db.close();
    expect(existsSync(join(dir, "w.db"))).toBe(true);
  });
});

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Runs node with args in the project root; resolves to its stdout, rejects unless it exits 0. */
function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: projectRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}
