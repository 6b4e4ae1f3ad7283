import type { ParseArgsConfig } from "node:util";
import { cliActor } from "../audit/audit.js";
import type { Blacklist } from "../blacklist/blacklist.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { Db } from "../db/database.js";
import type { Logger } from "../log.js";
import type { PasswordHasher } from "../passwords/index.js";
import type { ReputationBook } from "../reputation/model.js";
import type { StrengthJudge } from "../strength/index.js";

/** What a command may use; in the server these are the running service's own. */
export interface Services {
  config: Config;
  db: Db;
  hasher: PasswordHasher;
  strength: StrengthJudge;
  blacklist: Blacklist;
  reputation: ReputationBook;
  log: Logger;
  clock: Clock;
  /** Who the audit log names for changes: "cli:<unix user>" of the CLI process (see src/audit). */
  actor?: string;
}

/** The audit log's actor for a command: the CLI process's user, else this process's. */
export const actorOf = (s: Services): string => s.actor ?? cliActor();

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;
export interface Args {
  values: Values;
  positionals: string[];
}

/** Where a command writes; captured and sent back when it runs inside the server. */
export interface Output {
  line(text: string): void;
  json(value: unknown): void;
  warn(text: string): void;
}

/** Reads what only the CLI's own process can read: its stdin, its terminal, its files. */
export interface LocalIo {
  password(args: Args, prompt: string): Promise<string>;
  readFile(path: string): Promise<string>;
}

export interface Command<I = unknown> {
  /** e.g. ["user", "add"] */
  path: string[];
  summary: string;
  usage: string;
  /** Longer text under the usage in --help. */
  details?: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  positionals: { min: number; max: number };
  /** Reads input locally (passwords, files); its result must survive JSON. */
  prepare?(args: Args, io: LocalIo): Promise<I>;
  /** Does the work with services opened for it (or the running server's); returns the exit code. */
  run?(services: Services, args: Args, input: I, out: Output): Promise<number | undefined>;
  /** Instead of `run`: owns the process (serve), opening what it needs itself; never runs remotely. */
  standalone?(config: Config, log: Logger, local: { args: Args; out: Output }): Promise<number>;
}

/** A reason the command could not do its work: printed as one line, exit code 1. */
export class CommandError extends Error {}
/** The command line itself is wrong: printed with a hint to --help, exit code 2. */
export class UsageError extends Error {}

export const JSON_OPTION = { json: { type: "boolean", default: false } } as const;

/** Prints rows as aligned columns with a header. */
export function table(out: Output, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  out.line(format(header));
  for (const row of rows) out.line(format(row));
}
