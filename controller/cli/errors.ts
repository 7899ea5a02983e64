/**
 * @module controller/cli/errors
 * A CliError is a failure the user can act on: the CLI prints its message on one
 * line (never a stack trace) and exits with its code.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "CliError";
  }
}
