/** Policy at login: refuse a password scoring at most `maxWeakScore`, or shorter than `minLength`. */
export interface StrengthPolicy {
  maxWeakScore: number;
  minLength: number;
}

/** Policy when a password is set: it must score at least `minScore` and be `minLength` long. */
export interface SetPolicy {
  minScore: number;
  minLength: number;
}

export interface StrengthSettings {
  login: StrengthPolicy;
  set: SetPolicy;
  /** The host's brand and domains: tried as user inputs for every login. */
  providerWords: string[];
}

export type LoginVerdict = { weak: false } | { weak: true; reason: "too_short" | "low_score"; score: number };

/** `problems` are plain-words feedback that never echo the password. */
export type SetVerdict = { ok: true } | { ok: false; problems: string[] };

export interface StrengthJudge {
  /** Fast path for /dovecot/token: cached by HMAC(password + login-inputs), synchronous. */
  judgeLogin(password: string, login: string): LoginVerdict;
  /** For user add/passwd/import. */
  judgeNewPassword(password: string, login: string): SetVerdict;
  stats(): { cacheHits: number; cacheMisses: number; cacheSize: number };
}
