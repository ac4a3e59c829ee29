/** A mistake of the person at the keyboard: printed as one line on stderr, exit status 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
