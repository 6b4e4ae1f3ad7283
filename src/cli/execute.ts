import { type Args, type Command, CommandError, type Output, type Services, UsageError } from "./command.js";

/** What a command printed and its exit code, for running it inside the server on the CLI's behalf. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** An Output that writes to two sinks (process streams or buffers). */
export function output(stdout: (s: string) => void, stderr: (s: string) => void): Output {
  return {
    line: (text) => stdout(`${text}\n`),
    json: (value) => stdout(`${JSON.stringify(value, null, 2)}\n`),
    warn: (text) => stderr(`${text}\n`),
  };
}

/** Runs a command and turns its errors into the one-line reasons and exit codes of the CLI. */
export async function execute(
  command: Command<unknown>,
  services: Services,
  args: Args,
  input: unknown,
  out: Output,
): Promise<number> {
  try {
    if (!command.run) throw new CommandError(`${command.path.join(" ")} cannot run here`);
    return (await command.run(services, args, input, out)) ?? 0;
  } catch (error) {
    return failure(error, out);
  }
}

/** Maps an error to its exit code: 2 for usage, 1 for everything else, one line each. */
export function failure(error: unknown, out: Output): number {
  if (error instanceof UsageError) {
    out.warn(`mailauth: ${error.message} (see --help)`);
    return 2;
  }
  if (error instanceof CommandError) {
    out.warn(`mailauth: ${error.message}`);
    return 1;
  }
  out.warn(`mailauth: ${(error as Error).message ?? String(error)}`);
  return 1;
}

/** Runs a command with its output captured (the server side of the control socket). */
export async function executeCaptured(
  command: Command<unknown>,
  services: Services,
  args: Args,
  input: unknown,
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const code = await execute(
    command,
    services,
    args,
    input,
    output(
      (s) => {
        stdout += s;
      },
      (s) => {
        stderr += s;
      },
    ),
  );
  return { code, stdout, stderr };
}
