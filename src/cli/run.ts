import type { Writable } from "node:stream";
import { cliActor } from "../audit/audit.js";
import { createBlacklist } from "../blacklist/blacklist.js";
import { builtinAllow } from "../blacklist/builtin-allow.js";
import { systemClock } from "../clock.js";
import { type Config, configFromEnv, type Env } from "../config/config.js";
import { embeddedPaths } from "../db/embedded-lock.js";
import { createLogger } from "../log.js";
import { createPasswordHasher } from "../passwords/index.js";
import { ReputationBook } from "../reputation/model.js";
import { DatabaseBusyError, openDatabase } from "../service.js";
import { createStrengthJudge } from "../strength/index.js";
import type { Args, Command, Output } from "./command.js";
import { callControl } from "./control.js";
import { execute, failure, output } from "./execute.js";
import { localIo, type Terminal } from "./local-io.js";
import { commandHelp, resolveCommand } from "./registry.js";

/**
 * How long a command waits for the embedded database that another mailauth process has open
 * (another command, typically done within seconds) before it gives up, and how often it asks.
 */
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 100;

export interface CliProcess extends Terminal {
  env: Env;
  stdout: Writable;
}

/** Runs `mailauth ARGV...`; resolves to the exit code. */
export async function runCli(argv: string[], proc: CliProcess): Promise<number> {
  const out = output(
    (s) => proc.stdout.write(s),
    (s) => proc.stderr.write(s),
  );
  try {
    const resolved = resolveCommand(argv);
    if (resolved.kind === "help") {
      proc.stdout.write(resolved.text);
      return 0;
    }
    const { command, args } = resolved;
    if (resolved.help) {
      proc.stdout.write(commandHelp(command));
      return 0;
    }
    const parsed = configFromEnv(proc.env, proc.cwd);
    if (!parsed.ok) {
      for (const error of parsed.errors) out.warn(`mailauth: configuration: ${error}`);
      return 2;
    }
    const { config } = parsed;
    if (command.standalone) {
      const log = createLogger(config);
      return await command.standalone(config, log, { args, out });
    }
    const input = command.prepare ? await command.prepare(args, localIo(proc)) : undefined;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      if (!config.databaseUrl) {
        // A running server holds the embedded database: let it run the command.
        const remote = await callControl(embeddedPaths(config.dataDir).socket, {
          argv,
          input,
          actor: cliActor(),
        });
        if (remote) {
          proc.stdout.write(remote.stdout);
          proc.stderr.write(remote.stderr);
          return remote.code;
        }
      }
      let opened: Opened;
      try {
        opened = await openDatabase(config);
      } catch (error) {
        // Another command has the embedded database for a moment, or a server is starting and
        // will soon answer on the control socket: ask again until the deadline.
        if (!(error instanceof DatabaseBusyError) || Date.now() >= deadline) throw error;
        await new Promise((r) => setTimeout(r, LOCK_POLL_MS + Math.random() * LOCK_POLL_MS));
        continue;
      }
      return await runLocally(command, config, opened, args, input, out, proc.stderr);
    }
  } catch (error) {
    return failure(error, out);
  }
}

type Opened = Awaited<ReturnType<typeof openDatabase>>;

async function runLocally(
  command: Command<never>,
  config: Config,
  { db, release }: Opened,
  args: Args,
  input: unknown,
  out: Output,
  stderr: Writable,
) {
  const log = createLogger({ logLevel: "warn", logFormat: "pretty" }, undefined, stderr);
  const hasher = createPasswordHasher({ bcryptCost: config.bcryptCost, workers: 1, queueMax: 16 });
  try {
    const strength = createStrengthJudge(config.strength);
    const blacklist = await createBlacklist({
      db,
      log,
      clock: systemClock,
      escalation: config.escalation,
      builtinAllow: builtinAllow(config.trustedNetworks),
    });
    const reputation = new ReputationBook(config.reputation);
    const services = {
      config,
      db,
      hasher,
      strength,
      blacklist,
      reputation,
      log,
      clock: systemClock,
      actor: cliActor(),
    };
    try {
      return await execute(command as Command<unknown>, services, args, input, out);
    } finally {
      await blacklist.close();
    }
  } finally {
    await hasher.close();
    await release();
  }
}

/** The server's side of the control socket: the same parsing, refusing what cannot run there. */
export function resolveForControl(argv: string[]) {
  const resolved = resolveCommand(argv);
  if (resolved.kind !== "command" || resolved.help || !resolved.command.run) {
    throw new Error("this command cannot run through the server");
  }
  return { command: resolved.command, args: resolved.args };
}
