import { parseArgs } from "node:util";
import { auditCommands } from "./audit.js";
import { banCommands } from "./ban.js";
import { type Args, type Command, UsageError } from "./command.js";
import { doctorCommand } from "./doctor.js";
import { domainCommands } from "./domain.js";
import { firewallCommands } from "./firewall.js";
import { migrateCommand } from "./migrate.js";
import { serveCommand } from "./serve.js";
import { userCommands } from "./user.js";

/** Every command, in the order `mailauth --help` lists them. */
export const commands = [
  serveCommand,
  migrateCommand,
  doctorCommand,
  ...userCommands,
  ...domainCommands,
  ...banCommands,
  ...firewallCommands,
  ...auditCommands,
] as Command<never>[];

export type Resolved =
  | { kind: "command"; command: Command<never>; args: Args; help: boolean }
  | { kind: "help"; text: string };

/** Finds the command an argv names and parses its options; usage problems throw UsageError. */
export function resolveCommand(argv: string[]): Resolved {
  const words = argv.filter((a) => !a.startsWith("-"));
  const command = commands.find((c) => c.path.every((p, i) => words[i] === p));
  if (!command) {
    const group = commands.filter((c) => c.path[0] === words[0]);
    if (group.length > 0 && (words.length === 1 || argv.includes("--help") || argv.includes("-h"))) {
      return { kind: "help", text: overview(group) };
    }
    if (words.length === 0) return { kind: "help", text: overview(commands) };
    throw new UsageError(`unknown command "${words.slice(0, 2).join(" ")}"`);
  }
  const rest = [...argv];
  for (const word of command.path) rest.splice(rest.indexOf(word), 1);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h", default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${command.path.join(" ")}: ${(error as Error).message.split("\n")[0]}`);
  }
  const { help, ...values } = parsed.values;
  const args: Args = { values, positionals: parsed.positionals };
  if (!help) {
    const n = args.positionals.length;
    if (n < command.positionals.min || n > command.positionals.max) {
      throw new UsageError(`usage: mailauth ${command.usage}`);
    }
  }
  return { kind: "command", command, args, help: help === true };
}

/** `mailauth CMD --help`. */
export function commandHelp(command: Command<never>): string {
  return `usage: mailauth ${command.usage}\n\n${command.summary}\n${command.details ? `\n${command.details}\n` : ""}`;
}

function overview(list: Command<never>[]): string {
  const lines = list.map((c) => `  ${c.path.join(" ").padEnd(16)} ${c.summary}`);
  return `usage: mailauth COMMAND [options]   (mailauth COMMAND --help for its options)

${lines.join("\n")}

Settings come from MAILAUTH_* environment variables; see the README.
`;
}
