// The outbox: what the demo plugins did outside Weft (e-mails, payments). Everyone signed in reads it.
import { weft } from "../weft.ts";

export const outbox = (query: { workflowId?: string; limit?: number } = {}) => weft().outbox(query);
