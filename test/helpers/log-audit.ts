import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";

/**
 * The suite's log audit (see startLogAudit in global-setup.ts): tests note here every password,
 * hash, token and secret they hand to mailauth, and every log or CLI output mailauth gave back; at
 * the end of the run no kept output may hold any of the noted secrets.
 */
const file = process.env.VITEST
  ? // Typed in global-setup.ts, which the benchmarks' build (they share the e2e clients) leaves out.
    join(inject("logAuditDir" as never) as string, `${process.pid}-${randomBytes(4).toString("hex")}`)
  : null;

export function rememberSecret(...secrets: (string | null | undefined)[]): void {
  const kept = secrets.filter((s): s is string => typeof s === "string" && s.length > 0);
  if (file && kept.length > 0)
    appendFileSync(`${file}.secrets`, kept.map((s) => `${JSON.stringify(s)}\n`).join(""));
}

/** Output of mailauth (a service's log lines, a CLI's stdout and stderr) for the audit. */
export function keepOutput(text: string): void {
  if (file && text.length > 0) appendFileSync(`${file}.log`, text);
}

/** The environment values a test gives mailauth that are secrets by their name. */
export function rememberSecretEnv(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (/TOKEN|SECRET|PASSWORD/.test(name)) rememberSecret(value);
  }
}

const SECRET_FIELDS = /^(password|new_password|client_secret|token|secret|hash)$/;

/** Secret fields of a form or JSON request body. */
export function rememberBodySecrets(body: unknown): void {
  if (typeof body !== "string" && !(body instanceof URLSearchParams)) return;
  const text = String(body);
  if (text.startsWith("{")) {
    try {
      const walk = (value: unknown): void => {
        if (value && typeof value === "object") {
          for (const [key, inner] of Object.entries(value)) {
            if (SECRET_FIELDS.test(key) && typeof inner === "string") rememberSecret(inner);
            else walk(inner);
          }
        }
      };
      walk(JSON.parse(text));
    } catch {
      // not JSON after all: hostile bodies are sent on purpose
    }
    return;
  }
  try {
    for (const [key, value] of new URLSearchParams(text)) {
      if (SECRET_FIELDS.test(key)) rememberSecret(value);
    }
  } catch {
    // not a form either
  }
}
