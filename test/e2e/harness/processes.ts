import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";

/** A port the kernel just handed out on 127.0.0.1; free unless something grabs it first. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port from listen(0)");
  return address.port;
}

/** Polls until `check` returns true, or throws `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True once a TCP connect to 127.0.0.1:port succeeds. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output; kills it after `timeoutMs`. */
export async function run(command: string, args: string[], timeoutMs = 15_000): Promise<CommandResult> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

const running = new Set<ChildProcess>();

// A daemon must not outlive the test worker, even when a test throws before its afterAll.
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

/** Starts a long-running daemon in its own process group, so stopping it reaches its children too. */
export function startDaemon(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/**
 * A daemon running from its own throwaway folder: what it printed so far, and a stop that also
 * removes the folder.
 */
export function startInstance(command: string, args: string[], dir: string) {
  const child = startDaemon(command, args);
  let printed = "";
  const collect = (chunk: Buffer) => {
    printed += chunk;
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return {
    child,
    output: () => printed,
    stop: async () => {
      await stopDaemon(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Asks the daemon to stop, then kills its whole group if it has not exited within `graceMs`. */
export async function stopDaemon(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, "SIGKILL");
    return;
  }
  const exited = once(child, "exit");
  // The master alone: it stops its own children and logs why, which a signal to each would not.
  child.kill("SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  // Children can outlive their master (Dovecot's auth, log and anvil lingered ~30 s once):
  // the instance is throwaway, so nothing left in its group may keep running.
  killGroup(child, "SIGKILL");
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
