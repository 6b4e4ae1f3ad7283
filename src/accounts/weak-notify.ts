import { spawn } from "node:child_process";
import type { Logger } from "../log.js";

/** Tells the account's owner, out of band, that their password must change. Never gets the password. */
export type WeakPasswordNotifier = (account: string, at: Date) => Promise<void>;

/**
 * Runs the configured command (with MAILAUTH_ACCOUNT and MAILAUTH_EVENT in its environment, no
 * arguments, so nothing reaches a shell) and/or POSTs JSON to the configured URL. Failures are
 * logged, never thrown: the flag on the account is what matters, and it is already set.
 */
export function createWeakPasswordNotifier(
  settings: { command: string | null; url: string | null },
  log: Logger,
): WeakPasswordNotifier {
  return async (account, at) => {
    const event = "weak_password_in_use";
    if (settings.command) {
      const code = await new Promise<number | string>((resolve) => {
        const child = spawn(settings.command as string, [], {
          env: {
            ...process.env,
            MAILAUTH_ACCOUNT: account,
            MAILAUTH_EVENT: event,
            MAILAUTH_AT: at.toISOString(),
          },
          stdio: "ignore",
          timeout: 30_000,
        });
        child.on("error", (error) => resolve(error.message));
        child.on("exit", (exitCode) => resolve(exitCode ?? "killed"));
      });
      if (code !== 0) log.error({ account, result: code }, "weak-password notification command failed");
    }
    if (settings.url) {
      try {
        const response = await fetch(settings.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ event, account, at: at.toISOString() }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok)
          log.error({ account, status: response.status }, "weak-password webhook refused the notification");
      } catch (error) {
        log.error({ account, err: (error as Error).message }, "weak-password webhook unreachable");
      }
    }
  };
}
