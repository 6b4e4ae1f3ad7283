import { spawn } from "node:child_process";

export interface NftResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs nft with arguments and optional stdin; injected so tests can aim it into a namespace. */
export type NftRunner = (args: string[], stdin?: string) => Promise<NftResult>;

/**
 * A runner for a command such as ["nft"] or ["ip", "netns", "exec", "NS", "nft"]. A missing
 * binary is a result (code 127), like a shell would report it, not an exception.
 */
export function nftRunner(command: readonly string[]): NftRunner {
  const [program = "nft", ...prefix] = command;
  return (args, stdin) =>
    new Promise((done) => {
      const child = spawn(program, [...prefix, ...args], { stdio: ["pipe", "pipe", "pipe"] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => stdout.push(d));
      child.stderr.on("data", (d: Buffer) => stderr.push(d));
      child.on("error", (error) =>
        done({ code: 127, stdout: "", stderr: `cannot run ${program}: ${error.message}` }),
      );
      child.on("close", (code, signal) =>
        done({
          code: code ?? 128,
          stdout: Buffer.concat(stdout).toString(),
          stderr: Buffer.concat(stderr).toString() + (signal ? `killed by ${signal}` : ""),
        }),
      );
      // nft may exit before reading all of a large script (a syntax error early on).
      child.stdin.on("error", () => {});
      child.stdin.end(stdin ?? "");
    });
}

/** nft's message without its noise: the first lines, trimmed, for one-line reports. */
export function nftError(result: NftResult, maxLines = 6): string {
  const lines = result.stderr.split("\n").filter((l) => l.trim() !== "");
  const shown = lines.slice(0, maxLines).join(" | ");
  return lines.length > maxLines
    ? `${shown} | ... (${lines.length - maxLines} more lines)`
    : shown || `exit code ${result.code}`;
}
