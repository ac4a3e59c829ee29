// Prisma CLI configuration. Weft uses the CLI for `prisma generate` only: migrations are
// hand-written SQL applied by engine/storage/migrate.ts, because `prisma migrate` needs the
// native schema engine, which cannot be downloaded on these machines.
import { defineConfig } from "prisma/config";

// `prisma generate` refuses to start without a schema engine binary although it never runs
// it; any existing file satisfies the check, and this avoids the failing download.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
// No update check / telemetry call home (nothing outside npm is reachable anyway).
process.env.CHECKPOINT_DISABLE ??= "1";

// Two schemas, one per database, both written from prisma/models.prisma. The CLI's
// `--schema` flag picks one; the default is the embedded database's.
export default defineConfig({
  schema: "prisma/sqlite/schema.prisma",
  migrations: { path: "prisma/sqlite/migrations" },
});
