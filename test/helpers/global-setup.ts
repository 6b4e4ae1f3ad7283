import type { TestProject } from "vitest/node";
import { postgresBinDir, startThrowawayCluster } from "./postgres-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL the suite uses, or null when none could be had. */
    postgresUrl: string | null;
    postgresMissing: string;
  }
}

/**
 * Gives the suite a real PostgreSQL: MAILAUTH_TEST_DATABASE_URL, else a throwaway cluster when the
 * server binaries are installed. In CI a missing PostgreSQL is an error, never a silent skip.
 */
export default async function setup(project: TestProject) {
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
