import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Finds the PostgreSQL server binaries Debian installs (/usr/lib/postgresql/N/bin). */
export function postgresBinDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ThrowawayCluster {
  url: string;
  /** Stops the server but keeps its files (an outage): `fast` closes connections cleanly, `immediate` like a crash. */
  halt(mode: "fast" | "immediate"): void;
  /** Starts it again on the same port and files after `halt`; returns once it accepts connections. */
  resume(): void;
  /** Stops it and removes its files. */
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster on a free port, removed on stop. PostgreSQL refuses to run as
 * root, so as root it runs as the `postgres` user. It trades durability for speed: a server
 * crash (`halt("immediate")`) loses the last commits unless `crashSafe` keeps synchronous_commit
 * on (fsync stays off: only an OS crash would need it).
 */
export async function startThrowawayCluster(
  binDir: string,
  options: { crashSafe?: boolean } = {},
): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(join(tmpdir(), "mailauth-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? (["runuser", ["-u", "postgres", "--", join(binDir, cmd), ...args]] as const)
      : ([join(binDir, cmd), args] as const);
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const [initCmd, initArgs] = run("initdb", [
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  execFileSync(initCmd, [...initArgs], { stdio: "ignore" });
  const port = await freePort();
  const synchronousCommit = options.crashSafe ? "on" : "off";
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=${synchronousCommit} -c full_page_writes=off -c max_connections=200`;
  let running = false;
  const start = () => {
    const [ctl, ctlArgs] = run("pg_ctl", [
      "start",
      "-w",
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-o",
      serverOptions,
    ]);
    execFileSync(ctl, [...ctlArgs], { stdio: "ignore" });
    running = true;
  };
  start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    halt(mode) {
      const [cmd, args] = run("pg_ctl", ["stop", "-w", "-D", data, "-m", mode]);
      execFileSync(cmd, [...args], { stdio: "ignore" });
      running = false;
    },
    resume: start,
    async stop() {
      const [stopCmd, stopArgs] = run("pg_ctl", ["stop", "-D", data, "-m", "immediate"]);
      try {
        if (running) execFileSync(stopCmd, [...stopArgs], { stdio: "ignore" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
