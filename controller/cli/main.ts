/**
 * @module controller/cli/main
 * The `tollgate` command line: one module per subcommand under ./commands, loaded
 * only when used so that `tollgate push` does not pay for the Kubernetes client.
 */
import { CliError } from "./errors.ts";

export interface Command {
  /** One line for `tollgate help`. */
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Subcommand name → loader. Each command lives in ./commands/<name>.ts and exports `command`. */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  push: () => import("./commands/push.ts"),
  pull: () => import("./commands/pull.ts"),
  inspect: () => import("./commands/inspect.ts"),
  publish: () => import("./commands/publish.ts"),
  render: () => import("./commands/render.ts"),
  controller: () => import("./commands/controller.ts"),
  "mock-llm": () => import("./commands/mock-llm.ts"),
  replay: () => import("./commands/replay.ts"),
  dev: () => import("./commands/dev.ts"),
};

function usage(): string {
  const names = Object.keys(COMMANDS).sort();
  return ["usage: tollgate <command> [options]", "", "commands:", ...names.map((n) => `  ${n}`), "", "tollgate <command> --help for its options"].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`tollgate: unknown command '${name}' (try 'tollgate help')`);
    return 2;
  }
  try {
    const { command } = await load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`tollgate ${name}: ${err.message}`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    console.error(`tollgate ${name}: ${message.split("\n")[0]}`);
    if (process.env.TOLLGATE_DEBUG) console.error(err);
    return 1;
  }
}
