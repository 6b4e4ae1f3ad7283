import { verifySync } from "@node-rs/argon2";
import { invalid, type Verdict, verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";

// PHC strings as libsodium (Dovecot's argon2 backend) writes and reads them: argon2i or argon2id,
// version 19, parameters in the order m,t,p. Dovecot verifies either variant under either name.
const ARGON2 =
  /^\$argon2(?:i|id)\$v=19\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

// A corrupt row asking for, say, 64 GiB would take a worker (or the host) down: cap memory at
// 1 GiB and passes at 100. Dovecot's default is 64 MiB, t=3.
const MAX_MEMORY_KIB = 1024 * 1024;
const MAX_PASSES = 100;

/** Syntax check of an argon2i/argon2id PHC string. */
export function checkArgon2(hash: string): string | null {
  if (hash.startsWith("$argon2d$")) return "argon2d is not supported (Dovecot reads argon2i and argon2id)";
  const match = ARGON2.exec(hash);
  if (match === null) return "malformed argon2 hash";
  if (Number(match[1]) > MAX_MEMORY_KIB) return "argon2 memory cost above 1 GiB";
  if (Number(match[2]) > MAX_PASSES) return "argon2 time cost above 100";
  return null;
}

/** Verifies with @node-rs/argon2, synchronously: this runs inside a pool worker. */
export function verifyArgon2(password: string, hash: string): Verdict {
  const problem = checkArgon2(hash);
  if (problem !== null) return invalid(problem);
  try {
    return verdictOf(verifySync(hash, password));
  } catch {
    return invalid("argon2 hash rejected by @node-rs/argon2");
  }
}

function argon2Scheme(name: string): Scheme {
  return {
    name,
    runs: "pool",
    encoding: "none",
    check: (raw) => checkArgon2(raw.toString("latin1")),
    verify: (password, raw) => verifyArgon2(password, raw.toString("latin1")),
  };
}

export const ARGON2I = argon2Scheme("ARGON2I");
export const ARGON2ID = argon2Scheme("ARGON2ID");
