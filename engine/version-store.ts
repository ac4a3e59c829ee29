// Deployed versions of workflows (table workflow_version): every statement on it lives here.
// A version is written once, at deploy, and never changed (but for `waits` filled in once for
// versions deployed before it was kept), so readers may cache what they read.

import { waitsOf, type Waits } from "../compiler/waits.ts";
import type { SqlExecutor } from "./storage/types.ts";

export type { Waits };

export interface VersionInsert {
  name: string;
  version: number;
  hash: string;
  /** The document as deployed, JSON. */
  documentText: string;
  /** The compiled TypeScript module. */
  source: string;
  /** The module transpiled to CommonJS: what the sandbox runs. */
  code: string;
  createdAt: number;
  compatibleWith: number | null;
  deployedBy: string | null;
  waits: Waits;
}

export interface WorkflowVersionRow {
  name: string;
  version: number;
  hash: string;
  /** The document as deployed (parsed). */
  document: unknown;
  /** The compiled TypeScript module. */
  source: string;
  /** The module transpiled to CommonJS: what the sandbox runs. */
  code: string;
  /** Epoch milliseconds. */
  createdAt: number;
  deployedBy: string | null;
}

/** The newest version of a name, with its document parsed only when asked for. */
export interface LatestVersion {
  version: number;
  hash: string;
  createdAt: number;
  deployedBy: string | null;
  document(): unknown;
}

export interface VersionListItem {
  version: number;
  hash: string;
  createdAt: number;
  deployedBy: string | null;
}

export interface WorkflowSummary {
  name: string;
  /** The newest version. */
  version: number;
  hash: string;
  createdAt: number;
  deployedBy: string | null;
  /** The newest version's document title, if it has one. */
  title?: string;
  /** How many versions are stored. */
  versions: number;
}

export async function insertVersion(tx: SqlExecutor, v: VersionInsert): Promise<void> {
  await tx.execute(
    "INSERT INTO workflow_version (name, version, hash, document, source, code, created_at, compatible_with, deployed_by, waits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [v.name, v.version, v.hash, v.documentText, v.source, v.code, v.createdAt, v.compatibleWith, v.deployedBy, JSON.stringify(v.waits)],
  );
}

export async function latestVersion(db: SqlExecutor, name: string): Promise<LatestVersion | undefined> {
  const rows = await db.query("SELECT version, hash, created_at, deployed_by, document FROM workflow_version WHERE name = ? ORDER BY version DESC LIMIT 1", [name]);
  const row = rows[0];
  if (!row) return undefined;
  let parsed: { value: unknown } | undefined;
  return {
    version: Number(row.version),
    hash: String(row.hash),
    createdAt: Number(row.created_at),
    deployedBy: (row.deployed_by as string | null) ?? null,
    document: () => (parsed ??= { value: JSON.parse(String(row.document)) }).value,
  };
}

/** One version of a workflow: the newest when `version` is omitted; undefined when there is none. */
export async function getVersion(db: SqlExecutor, name: string, version?: number): Promise<WorkflowVersionRow | undefined> {
  const columns = "name, version, hash, document, source, code, created_at, deployed_by";
  const rows =
    version === undefined
      ? await db.query(`SELECT ${columns} FROM workflow_version WHERE name = ? ORDER BY version DESC LIMIT 1`, [name])
      : await db.query(`SELECT ${columns} FROM workflow_version WHERE name = ? AND version = ?`, [name, version]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    name: row.name as string,
    version: Number(row.version),
    hash: row.hash as string,
    document: JSON.parse(row.document as string),
    source: row.source as string,
    code: row.code as string,
    createdAt: Number(row.created_at),
    deployedBy: (row.deployed_by as string | null) ?? null,
  };
}

/** The transpiled module of one version (what the sandbox loads); undefined when not deployed. */
export async function versionCode(db: SqlExecutor, name: string, version: number): Promise<string | undefined> {
  const rows = await db.query("SELECT code FROM workflow_version WHERE name = ? AND version = ?", [name, version]);
  return rows.length === 0 ? undefined : String(rows[0].code);
}

/** A workflow's versions, newest first, without their documents and code. */
export async function listVersions(db: SqlExecutor, name: string): Promise<VersionListItem[]> {
  const rows = await db.query("SELECT version, hash, created_at, deployed_by FROM workflow_version WHERE name = ? ORDER BY version DESC", [name]);
  return rows.map((r) => ({ version: Number(r.version), hash: String(r.hash), createdAt: Number(r.created_at), deployedBy: (r.deployed_by as string | null) ?? null }));
}

/** Every deployed workflow name with its newest version, by name. */
export async function listWorkflows(db: SqlExecutor): Promise<WorkflowSummary[]> {
  const rows = await db.query(
    `SELECT v.name, v.version, v.hash, v.created_at, v.deployed_by, v.document, n.versions
       FROM workflow_version v
       JOIN (SELECT name, MAX(version) AS latest, COUNT(*) AS versions FROM workflow_version GROUP BY name) n
         ON n.name = v.name AND n.latest = v.version`,
  );
  const sorted = rows.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1));
  return sorted.map((row) => {
    const title = documentTitle(row.document as string);
    return {
      name: row.name as string,
      version: Number(row.version),
      hash: row.hash as string,
      createdAt: Number(row.created_at),
      deployedBy: (row.deployed_by as string | null) ?? null,
      ...(title === undefined ? {} : { title }),
      versions: Number(row.versions),
    };
  });
}

/** A stored document's title, when it has a non-blank one. */
export function documentTitle(documentText: string): string | undefined {
  try {
    const doc = JSON.parse(documentText) as { title?: unknown };
    if (typeof doc.title === "string" && doc.title.trim() !== "") return doc.title;
  } catch {
    // stored documents are JSON; unreadable means no title
  }
  return undefined;
}

/**
 * The compatibility declarations of a workflow (`weft deploy --compatible-with`): each version
 * that declared one, and the older version it declared.
 */
export async function compatibilityDeclarations(db: SqlExecutor, name: string): Promise<{ version: number; compatibleWith: number }[]> {
  const rows = await db.query<{ version: number; compatible_with: number }>(
    "SELECT version, compatible_with FROM workflow_version WHERE name = ? AND compatible_with IS NOT NULL",
    [name],
  );
  return rows.map((r) => ({ version: Number(r.version), compatibleWith: Number(r.compatible_with) }));
}

/**
 * What any version of a workflow waits for (a run may resume on a newer version declared
 * compatible with its own, so all of them count): the union of their stored `waits`. A version
 * deployed before `waits` was kept has none: it is computed from its document (which compiled
 * when it was deployed) with the compiler's own function, and stored, once.
 */
export async function workflowWaits(db: SqlExecutor, name: string): Promise<Waits> {
  // The document is read only for rows that still lack their waits.
  const rows = await db.query("SELECT version, waits, CASE WHEN waits IS NULL THEN document END AS document FROM workflow_version WHERE name = ?", [name]);
  const signals = new Set<string>();
  const approvals = new Set<string>();
  for (const row of rows) {
    let waits: Waits;
    if (row.waits === null || row.waits === undefined) {
      waits = waitsOf(JSON.parse(String(row.document)) as Parameters<typeof waitsOf>[0]);
      await db.execute("UPDATE workflow_version SET waits = ? WHERE name = ? AND version = ? AND waits IS NULL", [JSON.stringify(waits), name, Number(row.version)]);
    } else {
      waits = JSON.parse(String(row.waits)) as Waits;
    }
    for (const s of waits.signals) signals.add(s);
    for (const a of waits.approvals) approvals.add(a);
  }
  return { signals: [...signals].sort(), approvals: [...approvals].sort() };
}

/**
 * The versions runs of `version` pass through to the one whose code they resume on, from
 * declarations as read: `version` itself first, then each newest version declared compatible
 * with the one before (each declaration names an older version, so the chain ends).
 */
export function adopterChain(declarations: readonly { version: number; compatibleWith: number }[], version: number): number[] {
  const adopter = new Map<number, number>();
  for (const { version: to, compatibleWith: from } of declarations) if (to > (adopter.get(from) ?? 0)) adopter.set(from, to);
  const chain = [version];
  for (let next = adopter.get(version); next !== undefined; next = adopter.get(next)) chain.push(next);
  return chain;
}

/** The version whose code runs of `version` resume on: the end of its adopterChain. */
export function adopterOf(declarations: readonly { version: number; compatibleWith: number }[], version: number): number {
  return adopterChain(declarations, version).at(-1)!;
}

/** The version a run started on `version` of workflow `name` is on now (see adopterOf). */
export async function adoptedVersion(db: SqlExecutor, name: string, version: number): Promise<number> {
  return adopterOf(await compatibilityDeclarations(db, name), version);
}
