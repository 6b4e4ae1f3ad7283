import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The project-wide known answers from `doveadm pw`, kept outside the repository in shared/. */
export const DOVEADM_VECTORS_PATH = path.resolve(repoRoot, "../shared/vectors/doveadm-pw.json");

export type PasswordName = "ascii" | "utf8" | "long80";

export interface DoveadmVector {
  password: PasswordName;
  scheme: string;
  rounds: number | null;
  hash: string;
}

export interface DoveadmVectorFile {
  user: string;
  passwords: Record<PasswordName, string>;
  vectors: DoveadmVector[];
  truncation: { hash: string; alsoVerifies: string };
}

/** Reads the shared vectors; throws (failing the test file) when they are missing. */
export function loadDoveadmVectors(): DoveadmVectorFile {
  return JSON.parse(readFileSync(DOVEADM_VECTORS_PATH, "utf8")) as DoveadmVectorFile;
}

/** Extra doveadm-checked hashes (encodings, aliases, crypt routing) kept beside the tests. */
export function loadExtraVectors(): {
  user: string;
  vectors: { password: PasswordName; hash: string; note: string }[];
} {
  return JSON.parse(readFileSync(new URL("./fixtures/doveadm-extra.json", import.meta.url), "utf8"));
}

/** A password that differs from `password` within bcrypt's first 72 bytes. */
export function wrongPasswordFor(password: string): string {
  return `x${password}`;
}
