import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Readable, Writable } from "node:stream";
import { CommandError, type LocalIo } from "./command.js";

/** The CLI process's own streams. */
export interface Terminal {
  stdin: Readable & { isTTY?: boolean };
  stderr: Writable;
  cwd: string;
}

/** Reads passwords from stdin (--password-stdin) or a hidden prompt, and files relative to cwd. */
export function localIo(terminal: Terminal): LocalIo {
  return {
    async password(args, prompt) {
      if (args.values["password-stdin"]) {
        const text = await readAll(terminal.stdin);
        // One trailing newline is the echo's, not the password's.
        return text.replace(/\r?\n$/, "");
      }
      if (!terminal.stdin.isTTY) {
        throw new CommandError("no password given: use --password-stdin, or run in a terminal to be asked");
      }
      const first = await askHidden(terminal, prompt);
      const second = await askHidden(terminal, "Again: ");
      if (first !== second) throw new CommandError("the two passwords differ");
      return first;
    },
    async readFile(path) {
      try {
        return await readFile(resolve(terminal.cwd, path), "utf8");
      } catch (error) {
        throw new CommandError(
          `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    },
  };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** A prompt that does not echo what is typed. */
async function askHidden(terminal: Terminal, prompt: string): Promise<string> {
  const rl = createInterface({ input: terminal.stdin, output: terminal.stderr, terminal: true });
  // readline echoes through _writeToOutput; let only the prompt itself through.
  const internal = rl as unknown as { _writeToOutput: (s: string) => void };
  internal._writeToOutput = (s: string) => {
    if (s.startsWith(prompt)) terminal.stderr.write(prompt);
  };
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
    terminal.stderr.write("\n");
  }
}
