import { z } from "zod";
import { callerOf } from "../../lib/auth.ts";
import { json, parse, route } from "../../lib/http.ts";
import { queryOf } from "../../lib/api/schemas.ts";
import { outbox } from "../../lib/api/outbox.ts";

const query = z.strictObject({
  workflowId: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, "must be a workflow id").optional(),
  limit: z.coerce.number().int("must be a whole number").min(1).max(1000).optional(),
});

/** `GET /api/outbox?workflowId=&limit=`: the demo plugins' e-mails and payments, newest first. */
export const GET = route(async (request: Request) => {
  await callerOf(request);
  return json(await outbox(parse(query, queryOf(request), "query")));
});
