import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { CommandError, type LocalIo } from "./command.js";

/** The CLI process's own streams. */
export interface Terminal {
  stdin: Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?(mode: boolean): unknown };
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
      const [first = "", second] = await askHidden(terminal, [prompt, "Again: "]);
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

const CTRL_C = "\u0003";
const CTRL_D = "\u0004";
const CTRL_U = "\u0015";
const ESCAPE = "\u001b";

/**
 * Asks each prompt in turn (on stderr) and reads the answers from the terminal in raw mode, so
 * nothing typed is echoed: Enter ends an answer, Backspace and Ctrl-U edit it, Ctrl-C and Ctrl-D
 * (on an empty answer) give up. Raw mode lasts across all the prompts, so what is typed ahead is
 * not echoed between them either, and the terminal's mode is restored however it ends.
 * Not npm's `read`: version 6 needs Node 22, and with version 4 a Ctrl-D left its promise pending,
 * and the process just ended, without an error or a non-zero exit of ours (tried).
 */
async function askHidden(terminal: Terminal, prompts: string[]): Promise<string[]> {
  const input = terminal.stdin;
  if (typeof input.setRawMode !== "function") throw new CommandError("cannot hide typing on this terminal");
  const wasRaw = input.isRaw === true;
  const restore = () => input.setRawMode?.(wasRaw);
  const answers: string[] = [];
  const decoder = new StringDecoder("utf8");
  let typed: string[] = [];
  let inEscape = false;
  terminal.stderr.write(prompts[0] ?? "");
  process.once("exit", restore);
  input.setRawMode(true);
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = (error?: Error) => {
        input.off("data", onData);
        input.off("end", onEnd);
        if (error) reject(error);
        else resolve();
      };
      const onEnd = () => stop(new CommandError("no password given"));
      const onData = (chunk: Buffer | string) => {
        const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
        for (const ch of text) {
          if (inEscape) {
            // An escape sequence (arrow keys, ...) ends with a letter or '~'.
            if (/[A-Za-z~]/.test(ch)) inEscape = false;
          } else if (ch === "\r" || ch === "\n") {
            answers.push(typed.join(""));
            typed = [];
            terminal.stderr.write("\n");
            if (answers.length === prompts.length) return stop();
            terminal.stderr.write(prompts[answers.length] ?? "");
          } else if (ch === CTRL_C) {
            terminal.stderr.write("\n");
            return stop(new CommandError("interrupted"));
          } else if (ch === CTRL_D) {
            if (typed.length === 0) {
              terminal.stderr.write("\n");
              return stop(new CommandError("no password given"));
            }
          } else if (ch === "\u007f" || ch === "\b") typed.pop();
          else if (ch === CTRL_U) typed = [];
          else if (ch === ESCAPE) inEscape = true;
          else if (ch >= " ") typed.push(ch);
        }
      };
      input.on("data", onData);
      input.once("end", onEnd);
      input.resume();
    });
  } finally {
    restore();
    process.off("exit", restore);
    input.pause();
  }
  return answers;
}
