// The `weft` command. Each subcommand loads only what it needs, so that commands scripts call
// in loops start fast.

import { Command, CommanderError } from "commander";
import { registerPeopleCommands } from "./people-commands.ts";
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

  const runs = () => import("./run-commands.ts");
  const collect = (value: string, previous: string[] = []) => [...previous, value];

  program
    .command("deploy")
    .description("compile a workflow document and store it as a new version")
    .argument("<document>", "the workflow document (JSON)")
    .option("--compatible-with <version>", "runs started on this older version resume on the new code: checked first by replaying each of their histories on it")
    .option("--force", "with --compatible-with: declare it even though some runs do not replay on it (they are held until a version they replay on is deployed)")
    .option("--json", "print one JSON document on stdout")
    .action(async (file: string, options) => (await runs()).deployCommand(file, options));

  const codec = program.command("codec").description("the payload codec's keys: status, and re-encryption after a key rotation");
  codec
    .command("status")
    .description("whether the database's payloads are encrypted, under which key (fingerprints), and how many payloads each key holds")
    .option("--json", "print one JSON document on stdout")
    .action(async (options) => (await import("./codec-commands.ts")).codecStatusCommand(options));
  codec
    .command("reencrypt")
    .description("re-encrypt every payload under the newest key of WEFT_CODEC_KEYS (newest first); resumable, in batches")
    .option("--batch <n>", "rows per transaction", "500")
    .option("--json", "print one JSON document on stdout")
    .action(async (options) => {
      status = await (await import("./codec-commands.ts")).reencryptCommand(options);
    });

  program
    .command("worker")
    .description("run workflows and activities until SIGINT/SIGTERM")
    .option("--activities <module>", "an activity plugin module (repeatable)", collect)
    .option("--concurrency <n>", "activities run at once")
    .action(async (options) => (await runs()).workerCommand(options));

  program
    .command("start")
    .description("start a run of a deployed workflow")
    .argument("<name>", "the workflow's name")
    .option("--input <json>", "the run's input, JSON (or @FILE, @- for standard input)")
    .option("--id <workflowId>", "the workflow id (unique among open runs)")
    .option("--wait", "wait for the run to end and print its result (exit status 2 if it did not complete)")
    .option("--json", "print one JSON document on stdout")
    .action(async (name: string, options) => {
      status = await (await runs()).startCommand(name, options);
    });

  program
    .command("signal")
    .description("send a durable signal to a running workflow")
    .argument("<workflowId>")
    .argument("<signal>")
    .option("--payload <json>", "the signal's payload, JSON (or @FILE, @- for standard input)")
    .option("--start <workflow>", "with no open run of this id, start one of this workflow first (signal-with-start)")
    .option("--input <json>", "with --start: the input of the run to start, JSON (or @FILE)")
    .option("--json", "print one JSON document on stdout")
    .action(async (workflowId: string, signal: string, options) => (await runs()).signalCommand(workflowId, signal, options));

  for (const decision of ["approve", "decline"] as const) {
    program
      .command(decision)
      .description(`${decision} a pending approval`)
      .argument("<workflowId>")
      .option("--node <id>", "the approval node (default: the one the run waits at)")
      .option("--by <user>", "who decides", process.env.USER)
      .option("--comment <text>", "why")
      .option("--json", "print one JSON document on stdout")
      .action(async (workflowId: string, options) => (await runs()).decideCommand(decision, workflowId, options));
  }

  program
    .command("describe")
    .description("a run's status, result or error, and what it waits for")
    .argument("<workflowId>")
    .option("--json", "print one JSON document on stdout")
    .action(async (workflowId: string, options) => (await runs()).describeCommand(workflowId, options));

  program
    .command("list")
    .description("runs, newest first")
    .option("--status <status>", "only runs with this status: running, completed, failed, cancelled or terminated")
    .option("--name <workflow>", "only runs of this workflow")
    .option("--limit <n>", "at most this many (1 to 1000)", "100")
    .option("--json", "print one JSON document on stdout")
    .action(async (options) => (await runs()).listCommand(options));

  program
    .command("approvals")
    .description("approvals waiting for a decision, oldest first")
    .option("--assignee <name>", "only those naming this user or role")
    .option("--json", "print one JSON document on stdout")
    .action(async (options) => (await runs()).approvalsCommand(options));

  program
    .command("workers")
    .description("the workers running now, with the activities each has loaded")
    .option("--json", "print one JSON document on stdout")
    .action(async (options) => (await runs()).workersCommand(options));

  program
    .command("history")
    .description("a run's history, event by event")
    .argument("<workflowId>")
    .option("-f, --follow", "then print each new event as it is appended, until the run ends (with --json: one JSON object per line)")
    .option("--json", "print one JSON document on stdout")
    .action(async (workflowId: string, options) => (await runs()).historyCommand(workflowId, options));

  program
    .command("query")
    .description("read a running workflow's state without changing it (query: state)")
    .argument("<workflowId>")
    .argument("<query>")
    .option("--json", "print one JSON document on stdout")
    .action(async (workflowId: string, query: string, options) => (await runs()).queryCommand(workflowId, query, options));

  program
    .command("retry")
    .description("retry a run that failed at a step: a new run takes over its history and starts that step over")
    .argument("<workflowId>")
    .option("--json", "print one JSON document on stdout")
    .action(async (workflowId: string, options) => (await runs()).retryCommand(workflowId, options));

  for (const kind of ["cancel", "terminate"] as const) {
    program
      .command(kind)
      .description(`${kind} a running workflow`)
      .argument("<workflowId>")
      .option("--reason <text>", "why")
      .option("--json", "print one JSON document on stdout")
      .action(async (workflowId: string, options) => (await runs()).closeCommand(kind, workflowId, options));
  }

  program
    .command("dev")
    .description("run Weft on this machine: migrate the embedded database, deploy the examples, run a worker with the demo plugins and the app")
    .option("-p, --port <port>", "the app's port", process.env.PORT ?? "3000")
    .option("--hot", "serve the app with hot reload (next dev) instead of its production build")
    .option("--no-worker", "run no worker here: runs move only while a `weft worker` runs on the same database")
    .action(async (options) => {
      const { devCommand } = await import("./dev-command.ts");
      status = await devCommand(options);
    });

  registerPeopleCommands(program);

  try {
    await program.parseAsync(argv, { from: "user" });
    return status;
  } catch (caught) {
    if (caught instanceof CommanderError) return caught.exitCode === 0 ? 0 : 1;
    // The engine's refusals (a key that may not write here, met by `weft dev` or a worker as it
    // starts) are user errors too: one line, no stack trace.
    const err = await asUserError(caught);
    if (err instanceof UserError) {
      // With --json, stdout carries the one document and stderr the one-line reason: a
      // document's problems are in the document's `errors`, not printed again as ERROR lines.
      const json = argv.includes("--json");
      const lines = err.asErrorLines && err.errors?.length && !json ? err.errors.map((e) => `ERROR ${e.id} ${e.message}`) : [`weft: ${err.message}`];
      process.stderr.write(`${lines.join("\n")}\n`);
      if (json) {
        process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message, ...(err.errors?.length ? { errors: err.errors } : {}) } })}\n`);
      }
      return 1;
    }
    throw err;
  }
}

async function asUserError(err: unknown): Promise<unknown> {
  if (err instanceof UserError || !(err instanceof Error)) return err;
  if (err.name === "EngineError") {
    const { EngineError } = await import("../errors.ts");
    if (err instanceof EngineError) return new UserError(err.message, err.code, err.errors, err.code === "INVALID" && err.document === true);
  }
  if (err.name === "CodecError") return new UserError(err.message, "UNAVAILABLE");
  return err;
}
