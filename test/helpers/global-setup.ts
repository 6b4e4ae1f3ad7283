import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { postgresBinDir, startThrowawayCluster } from "./postgres-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL the suite uses, or null when none could be had. */
    postgresUrl: string | null;
    postgresMissing: string;
    /** Where test services write their logs and secrets for the end-of-run audit. */
    logAuditDir: string;
  }
}

/**
 * Gives the suite a real PostgreSQL: MAILAUTH_TEST_DATABASE_URL, else a throwaway cluster when the
 * server binaries are installed. In CI a missing PostgreSQL is an error, never a silent skip.
 */
export default async function setup(project: TestProject) {
  const logs = startLogAudit(project);
  const postgres = await setupPostgres(project);
  return async () => {
    await postgres?.();
    logs();
  };
}

/**
 * Every test service and CLI run writes its output, and every password, hash, secret and token the
 * tests gave mailauth, to files in one folder (test/helpers/log-audit.ts); at the end of the run no
 * output of the whole suite may hold any of them.
 */
function startLogAudit(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "mailauth-test-logs-"));
  project.provide("logAuditDir", dir);
  return () => {
    const files = readdirSync(dir);
    const secrets = new Set(
      files
        .filter((f) => f.endsWith(".secrets"))
        .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n"))
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as string)
        .filter((s) => s.length >= 6),
    );
    const logs = files.filter((f) => f.endsWith(".log")).map((f) => readFileSync(join(dir, f), "utf8"));
    rmSync(dir, { recursive: true, force: true });
    const leaked = [...secrets].filter((secret) => logs.some((text) => text.includes(secret)));
    if (leaked.length > 0) {
      // Where each leak is, with the secret itself masked (the run's output is a log too).
      for (const secret of leaked) {
        const line = logs.flatMap((text) => text.split("\n")).find((l) => l.includes(secret)) ?? "";
        console.error(`leaked into: ${line.split(secret).join("[SECRET]").slice(0, 400)}`);
      }
      // A teardown error alone does not fail vitest's run: set the exit code too.
      process.exitCode = 1;
      throw new Error(`${leaked.length} test passwords or secrets reached a log line`);
    }
    console.log(
      `log audit: ${logs.length} log files hold none of the ${secrets.size} test passwords, hashes and secrets`,
    );
  };
}

async function setupPostgres(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.MAILAUTH_TEST_DATABASE_URL;
  if (given) {
    project.provide("postgresUrl", given);
    project.provide("postgresMissing", "");
    return;
  }
  const binDir = postgresBinDir();
  if (!binDir) {
    const why =
      "PostgreSQL server binaries not found (apt-get install postgresql) and MAILAUTH_TEST_DATABASE_URL unset";
    if (process.env.CI) throw new Error(`CI needs PostgreSQL: ${why}`);
    console.warn(`\n*** PostgreSQL tests will be SKIPPED: ${why} ***\n`);
    project.provide("postgresUrl", null);
    project.provide("postgresMissing", why);
    return;
  }
  const cluster = await startThrowawayCluster(binDir);
  project.provide("postgresUrl", cluster.url);
  project.provide("postgresMissing", "");
  return () => cluster.stop();
}
