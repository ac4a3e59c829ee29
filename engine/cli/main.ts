// The `weft` command. Each subcommand loads only what it needs, so that commands scripts call
// in loops start fast.

import { Command, CommanderError } from "commander";
import { UserError } from "./user-error.ts";

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  let status = 0;
  program
    .name("weft")
    .description("Draw a business process, get durable code for it.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("compile")
    .description("compile a workflow document to a TypeScript module")
    .argument("<document>", "the workflow document (JSON)")
    .option("-o, --output <file>", "write the module to this file instead of stdout")
    .option("--target <target>", "weft (the bundled engine) or temporal", "weft")
    .option("--json", "print one JSON document on stdout")
    .action(async (file: string, options) => {
      const { compileCommand } = await import("./compile-command.ts");
      status = compileCommand(file, options);
    });

  program
    .command("dev")
    .description("run Weft on this machine: the app (and, as they come, a worker and the embedded database)")
    .option("-p, --port <port>", "the app's port", process.env.PORT ?? "3000")
    .action(async (options) => {
      const { devCommand } = await import("./dev-command.ts");
      status = await devCommand(options);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (err instanceof UserError) {
      process.stderr.write(`weft: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
