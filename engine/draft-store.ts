// Drafts (table draft): the designer's working copy of a document, one per workflow name, saved
// as often as the designer likes and deployed when it compiles. Every statement on draft lives
// here. Each save bumps `revision`, so that a save can require the revision its author loaded
// (optimistic concurrency: two people editing one workflow do not silently overwrite each other).

import { isUniqueViolation } from "./errors.ts";
import type { SqlExecutor } from "./storage/types.ts";

export interface DraftRow {
  name: string;
  /** The document, JSON as saved. */
  documentText: string;
  updatedAt: number;
  updatedBy: string | null;
  /** 1 for the first save, counting up by one per save. */
  revision: number;
}

export interface DraftListItem {
  name: string;
  documentText: string;
  updatedAt: number;
  updatedBy: string | null;
}

export async function getDraft(db: SqlExecutor, name: string): Promise<DraftRow | undefined> {
  const rows = await db.query("SELECT name, document, updated_at, updated_by, revision FROM draft WHERE name = ?", [name]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    name: String(row.name),
    documentText: String(row.document),
    updatedAt: Number(row.updated_at),
    updatedBy: (row.updated_by as string | null) ?? null,
    revision: Number(row.revision),
  };
}

/** Every draft, by name. */
export async function listDrafts(db: SqlExecutor): Promise<DraftListItem[]> {
  const rows = await db.query("SELECT name, document, updated_at, updated_by FROM draft ORDER BY name");
  return rows.map((row) => ({
    name: String(row.name),
    documentText: String(row.document),
    updatedAt: Number(row.updated_at),
    updatedBy: (row.updated_by as string | null) ?? null,
  }));
}

export interface DraftWrite {
  name: string;
  documentText: string;
  updatedBy: string | null;
  at: number;
}

/**
 * Saves a draft whatever its revision (a save without If-Match overwrites): inserts revision 1,
 * or replaces the document and bumps the revision. Resolves to the new revision and whether
 * the draft is new.
 */
export async function putDraft(db: SqlExecutor, w: DraftWrite): Promise<{ revision: number; inserted: boolean }> {
  // Two tries: an update that finds no row inserts, and an insert that loses a race with
  // another first save updates the row the other inserted.
  for (let attempt = 0; ; attempt++) {
    const updated = await replaceDraft(db, w);
    if (updated !== undefined) return { revision: updated, inserted: false };
    const inserted = await insertDraft(db, w);
    if (inserted) return { revision: 1, inserted: true };
    if (attempt >= 3) throw new Error(`draft "${w.name}" could be neither inserted nor updated`);
  }
}

/**
 * Replaces the draft's document if its revision is still `revision` (undefined: whatever it
 * is); resolves to the new revision, or undefined when there is no such draft (it was saved
 * since, or never).
 */
export async function replaceDraft(db: SqlExecutor, w: DraftWrite, revision?: number): Promise<number | undefined> {
  const rows = await db.query<{ revision: number }>(
    `UPDATE draft SET document = ?, updated_at = ?, updated_by = ?, revision = revision + 1 WHERE name = ?${revision === undefined ? "" : " AND revision = ?"} RETURNING revision`,
    revision === undefined ? [w.documentText, w.at, w.updatedBy, w.name] : [w.documentText, w.at, w.updatedBy, w.name, revision],
  );
  return rows.length === 0 ? undefined : Number(rows[0].revision);
}

/** Inserts the first draft of a name (revision 1); false when one exists already. */
export async function insertDraft(db: SqlExecutor, w: DraftWrite): Promise<boolean> {
  try {
    await db.execute("INSERT INTO draft (name, document, updated_at, updated_by, revision) VALUES (?, ?, ?, ?, 1)", [w.name, w.documentText, w.at, w.updatedBy]);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
