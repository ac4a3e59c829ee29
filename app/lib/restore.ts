// Restoring a deployed version as the workflow's draft: whether it would replace work that no
// version holds (then a person is asked first, in plain words), or nothing would be lost (the
// draft is the newest version's drawing, or none was saved since), or the draft is that
// version's drawing already. No React and no I/O: app/lib/api/workflows.ts reads the documents.

/** What restoring version `version` would do to the draft; `etag` is the draft's, for If-Match. */
export type RestorePlan = {
  version: number;
  /** The newest deployed version. */
  newest: number;
  /**
   * "same": the draft is version `version`'s drawing already; "kept": the draft is another
   * version's drawing (`keptIn`; or none was saved since a deploy), so nothing is lost;
   * "replaced": the draft has changes no version holds, which restoring replaces.
   */
  draft: "same" | "kept" | "replaced";
  /** With "kept": the version whose drawing the draft is. */
  keptIn?: number;
  etag: string;
};

/** JSON with its object keys sorted: two documents are the same drawing when these are equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const sameDocument = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** `keptIn`: the version whose document the draft is, other than `restoring`, if one is. */
export function restorePlan(current: { document: unknown; etag: string }, restoring: { version: number; document: unknown }, newest: number, keptIn?: number): RestorePlan {
  const base = { version: restoring.version, newest, etag: current.etag };
  if (sameDocument(current.document, restoring.document)) return { ...base, draft: "same" };
  return keptIn === undefined ? { ...base, draft: "replaced" } : { ...base, draft: "kept", keptIn };
}

/** The question a person is asked before the draft's own changes are replaced, and what it means. */
export function restoreQuestion(plan: RestorePlan): { question: string; detail: string } {
  return {
    question: `Replace the draft with version ${plan.version}?`,
    detail:
      `The draft has changes that were never deployed: it differs from version ${plan.newest}, the newest, and from the versions before it. ` +
      `Restoring version ${plan.version} replaces those changes, and they are not kept anywhere. Deployed versions stay as they are.`,
  };
}

/** What the designer says once version `version` is the draft again. */
export function restoredNotice(version: number): string {
  return `Version ${version} is the draft again. Deploy it to make it the newest version: the check before deploying says which open runs carry on with it.`;
}
