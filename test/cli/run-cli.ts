import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { keepOutput, rememberSecret, rememberSecretEnv } from "../helpers/log-audit.js";

export const CLI = resolve(import.meta.dirname, "../../dist/src/main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `mailauth` command as an operator would, with only the env given. What it is
 * given on stdin (passwords), its secret options and env, and what it prints go to the log audit.
 */
export function mailauth(
  args: string[],
  options: { env: Record<string, string>; stdin?: string; cwd?: string },
): Promise<CliResult> {
  rememberSecretEnv(options.env);
  for (const line of (options.stdin ?? "").split("\n")) rememberSecret(line.trim());
  args.forEach((arg, i) => {
    if (/^--(hash|password|token|secret)$/.test(args[i - 1] ?? "")) rememberSecret(arg);
  });
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", ...options.env },
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", fail);
    child.on("close", (code) => {
      keepOutput(stdout + stderr);
      done({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** Starts `mailauth serve` as a child process and waits until it answers /healthz. */
export async function serve(
  env: Record<string, string>,
  url: string,
): Promise<ChildProcess & { logs: () => string }> {
  rememberSecretEnv(env);
  const child = spawn(process.execPath, [CLI, "serve"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.once("exit", () => keepOutput(logs));
  let logs = "";
  child.stdout?.on("data", (d) => {
    logs += d;
  });
  child.stderr?.on("data", (d) => {
    logs += d;
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`mailauth serve exited: ${logs}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return Object.assign(child, { logs: () => logs });
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`mailauth serve did not answer: ${logs}`);
}
