import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export type Daemon = "dovecot" | "postfix" | "dovecot-pgsql";

function commandWorks(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

const onPath = (command: string) => commandWorks("sh", ["-c", `command -v ${command}`]);

const userExists = (name: string) => commandWorks("id", ["-u", name]);

/** Why this machine cannot run a private instance of `daemon`, or null when it can. */
export function whyUnavailable(daemon: Daemon): string | null {
  // Both masters start as root and drop to their own users (dovenull, dovecot, postfix, nobody).
  if (process.getuid?.() !== 0) return "the e2e tests must run as root (the daemons drop privileges)";
  switch (daemon) {
    case "dovecot":
      if (!commandWorks("dovecot", ["--version"]))
        return "dovecot is not installed (apt-get install dovecot-core dovecot-imapd dovecot-pop3d)";
      if (!onPath("doveadm")) return "doveadm is not installed";
      if (!userExists("dovenull") || !userExists("dovecot"))
        return "the dovecot and dovenull users are missing";
      return null;
    case "dovecot-pgsql":
      if (
        !existsSync("/usr/lib/dovecot/modules/auth/libdriver_pgsql.so") &&
        !existsSync("/usr/lib/dovecot/modules/libdriver_pgsql.so")
      )
        return "Dovecot's pgsql driver is not installed (apt-get install dovecot-pgsql)";
      return null;
    case "postfix":
      if (!commandWorks("postconf", ["-h", "mail_version"]))
        return "postfix is not installed (apt-get install postfix)";
      if (!commandWorks("openssl", ["version"]))
        return "openssl is not installed (STARTTLS needs a throwaway certificate)";
      if (!userExists("postfix")) return "the postfix user is missing";
      return null;
  }
}

export interface DaemonGate {
  /** True when the tests should be skipped (daemons missing, not in CI). */
  skip: boolean;
  /** Throws when the daemons are missing; in CI that turns the would-be skip into a failure. */
  assertAvailable(): void;
}

/**
 * Decides once per test file whether the daemons it needs are here. Missing daemons skip the
 * tests with a console message saying why, except when CI is set: CI must prove the daemons
 * work, so there the tests run and fail on assertAvailable().
 */
export function daemonGate(...daemons: Daemon[]): DaemonGate {
  const reasons = daemons.map(whyUnavailable).filter((reason): reason is string => reason !== null);
  const reason = reasons.length > 0 ? [...new Set(reasons)].join("; ") : null;
  const inCi = Boolean(process.env.CI);
  if (reason && !inCi) console.warn(`[e2e] skipping ${daemons.join(" + ")} tests: ${reason}`);
  return {
    skip: reason !== null && !inCi,
    assertAvailable() {
      if (reason)
        throw new Error(`${daemons.join(" + ")} cannot run here: ${reason} (CI is set, so this fails)`);
    },
  };
}
