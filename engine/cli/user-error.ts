/**
 * A mistake of the person at the keyboard: exit status 1 with a one-line reason on stderr (or,
 * for a document that does not compile, one `ERROR <id> <message>` line per problem, as
 * `weft compile` prints them); with `--json`, also `{ error: { code, message, errors? } }` on
 * stdout, the shape of the HTTP API's errors, so a script reads one document either way.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code = "BAD_REQUEST",
    /** What is wrong, by node, edge or field id. */
    readonly errors?: readonly { id: string; message: string }[],
    /** Print the errors as `ERROR` lines instead of the message (a document that does not compile). */
    readonly asErrorLines = false,
  ) {
    super(message);
    this.name = "UserError";
  }
}
