// The bodies and queries the API takes, one schema per route, so a wrong shape is refused at
// the edge with the field named. Strict objects: an unknown key is a mistake worth naming.

import { z } from "zod";

const name = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/, "must be a person's name: a lower-case letter, then letters, digits, . _ or -");
const role = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/, "must be a role name: a lower-case letter, then letters, digits, . _ or -");
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const signIn = z.strictObject({ name: text(200), password: text(1000) });

export const startRun = z.strictObject({
  input: z.unknown().optional(),
  workflowId: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, "must be 1-200 characters of letters, digits and . _ : -").optional(),
});

export const deploy = z
  .strictObject({ compatibleWith: z.number().int("must be a whole number").min(1, "must be a version, from 1").optional() })
  .optional();

export const signal = z.strictObject({ payload: z.unknown().optional() });

export const reason = z.strictObject({ reason: text(2000).optional() }).optional();

export const decision = z.strictObject({
  decision: z.enum(["approve", "decline"], { message: 'must be "approve" or "decline"' }),
  comment: text(4000).optional(),
});

export const newPerson = z.strictObject({
  name,
  displayName: text(200).optional(),
  roles: z.array(role).max(50).default([]),
  password: z.string().min(8, "must have at least 8 characters").max(1000).optional(),
});

export const changePerson = z.strictObject({
  displayName: text(200).optional(),
  roles: z.array(role).max(50).optional(),
  password: z.string().min(8, "must have at least 8 characters").max(1000).optional(),
});

export const newToken = z.strictObject({ label: text(200).optional() }).optional();

export const runsQuery = z.strictObject({
  status: z.enum(["running", "completed", "failed", "cancelled", "terminated"], { message: "must be one of running, completed, failed, cancelled, terminated" }).optional(),
  name: text(100).optional(),
  node: text(200).optional(),
  q: text(200).optional(),
  cursor: text(500).optional(),
  limit: z.coerce.number().int("must be a whole number").min(1).max(200).optional(),
  version: z.coerce.number().int("must be a whole number").min(1).optional(),
  from: text(40).optional(),
  to: text(40).optional(),
  /** "true": the answer carries `counts`, per status, of the runs these filters (status aside) show. */
  counts: z.enum(["true", "false"], { message: 'must be "true" or "false"' }).optional(),
});

/** Bulk cancel or terminate of a selection of runs (POST /api/runs). */
export const bulkClose = z.strictObject({
  action: z.enum(["cancel", "terminate"], { message: 'must be "cancel" or "terminate"' }),
  workflowIds: z
    .array(z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, "must be 1-200 characters of letters, digits and . _ : -"))
    .min(1, "must name at least one run")
    .max(200, "must name at most 200 runs"),
  reason: text(2000).optional(),
});

/** A query string as a plain object, for a schema; a repeated key is refused by the schema's string type. */
export function queryOf(request: Request): Record<string, string | string[]> {
  // No prototype: a key named __proto__ stays a key.
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URL(request.url).searchParams) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
