import { EnvReader } from "../config/env-reader.js";
import { MAX_SCORE } from "./policy.js";
import type { StrengthSettings } from "./types.js";

export const DEFAULT_STRENGTH_SETTINGS: StrengthSettings = {
  login: { maxWeakScore: 1, minLength: 8 },
  set: { minScore: 3, minLength: 10 },
  providerWords: [],
};

export type StrengthSettingsResult =
  | { ok: true; settings: StrengthSettings }
  | { ok: false; errors: string[] };

/** Longer than any password policy worth having; bounds what a typo in the env can ask for. */
const MAX_MIN_LENGTH = 128;
const MAX_PROVIDER_WORDS = 20;
const MAX_PROVIDER_WORD_LENGTH = 64;

/**
 * Reads the strength settings from an env object (tests pass a literal); every error names its
 * setting. Meant to be merged into the main config by its owner.
 */
export function strengthSettingsFromEnv(env: Record<string, string | undefined>): StrengthSettingsResult {
  const read = new EnvReader(env);
  const { errors } = read;
  const int = read.int.bind(read);
  const defaults = DEFAULT_STRENGTH_SETTINGS;

  const settings: StrengthSettings = {
    login: {
      maxWeakScore: int("MAILAUTH_WEAK_LOGIN_MAX_SCORE", defaults.login.maxWeakScore, 0, MAX_SCORE),
      minLength: int("MAILAUTH_WEAK_LOGIN_MIN_LENGTH", defaults.login.minLength, 0, MAX_MIN_LENGTH),
    },
    set: {
      minScore: int("MAILAUTH_PASSWORD_MIN_SCORE", defaults.set.minScore, 0, MAX_SCORE),
      minLength: int("MAILAUTH_PASSWORD_MIN_LENGTH", defaults.set.minLength, 1, MAX_MIN_LENGTH),
    },
    providerWords: providerWords(env.MAILAUTH_PROVIDER_WORDS, errors),
  };

  // A password accepted when set must never be refused at the next login.
  if (errors.length === 0 && settings.set.minScore <= settings.login.maxWeakScore) {
    errors.push(
      `MAILAUTH_PASSWORD_MIN_SCORE (${settings.set.minScore}) must be above MAILAUTH_WEAK_LOGIN_MAX_SCORE (${settings.login.maxWeakScore}), or new passwords would be refused at login`,
    );
  }
  if (errors.length === 0 && settings.set.minLength < settings.login.minLength) {
    errors.push(
      `MAILAUTH_PASSWORD_MIN_LENGTH (${settings.set.minLength}) must be at least MAILAUTH_WEAK_LOGIN_MIN_LENGTH (${settings.login.minLength}), or new passwords would be refused at login`,
    );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, settings };
}

function providerWords(raw: string | undefined, errors: string[]): string[] {
  const name = "MAILAUTH_PROVIDER_WORDS";
  const words = (raw ?? "")
    .split(",")
    .map((word) => word.trim())
    .filter(Boolean);
  if (words.length > MAX_PROVIDER_WORDS) {
    errors.push(`${name} takes at most ${MAX_PROVIDER_WORDS} comma-separated words, got ${words.length}`);
  }
  const tooLong = words.filter((word) => word.length > MAX_PROVIDER_WORD_LENGTH);
  if (tooLong.length > 0) {
    errors.push(`${name} words must be at most ${MAX_PROVIDER_WORD_LENGTH} characters each`);
  }
  return words;
}
