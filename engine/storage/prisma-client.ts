// The Prisma client type shared by both databases. Both generated clients come from one
// model file, so their model APIs are the same; the PostgreSQL client has a few extras (e.g.
// `mode: "insensitive"`) which code meant to run on both must not use. We type both as the
// SQLite client, the common subset.
export type { PrismaClient, Prisma } from "../../prisma/generated/sqlite/client.ts";
export type {
  WorkflowVersion,
  Draft,
  Run,
  HistoryEvent,
  Task,
  Signal,
  Worker,
} from "../../prisma/generated/sqlite/client.ts";
