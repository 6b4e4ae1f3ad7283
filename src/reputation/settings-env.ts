import { EnvReader } from "../config/env-reader.js";
import {
  DEFAULT_ESCALATION,
  type EscalationSettings,
  PERMANENT,
  parseDuration,
  parseLadder,
} from "./escalation.js";
import { DEFAULT_REPUTATION, type ReputationSettings, reputationSettingsProblems } from "./settings.js";

export type BanSettingsResult =
  | { ok: true; reputation: ReputationSettings; escalation: EscalationSettings }
  | { ok: false; errors: string[] };

/**
 * Reads the reputation and escalation settings from an env object (tests pass a literal); every
 * error names its variable. Unset variables keep the defaults. Meant to be merged into the main
 * config by its owner.
 */
export function banSettingsFromEnv(env: Record<string, string | undefined>): BanSettingsResult {
  const read = new EnvReader(env);
  const { errors } = read;
  const raw = read.raw.bind(read);
  // Whole numbers unless told otherwise, as most of these settings are counts.
  const number = (name: string, fallback: number, min: number, max: number, whole = true) =>
    read.number(name, fallback, min, max, whole);
  const duration = (name: string, fallback: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (!parsed.ok || parsed.ms === PERMANENT) {
      errors.push(`${name}: ${parsed.ok ? "must be a finite duration" : parsed.error}`);
      return fallback;
    }
    return parsed.ms;
  };
  const d = DEFAULT_REPUTATION;

  const reputation: ReputationSettings = {
    ...d,
    v6Prefix: number("MAILAUTH_REPUTATION_V6_PREFIX", d.v6Prefix, 32, 128),
    v4Prefix: number("MAILAUTH_REPUTATION_V4_PREFIX", d.v4Prefix, 8, 32),
    failureHalfLifeMs: duration("MAILAUTH_REPUTATION_HALF_LIFE", d.failureHalfLifeMs),
    successHalfLifeMs: duration("MAILAUTH_REPUTATION_SUCCESS_HALF_LIFE", d.successHalfLifeMs),
    memoryMs: duration("MAILAUTH_REPUTATION_MEMORY", d.memoryMs),
    badReputationScore: number(
      "MAILAUTH_BAN_WEAK_PASSWORD_AFTER_SCORE",
      d.badReputationScore,
      1,
      1000,
      false,
    ),
    banScore: number("MAILAUTH_BAN_SCORE", d.banScore, 1, 10_000, false),
    dictionaryPasswords: number("MAILAUTH_BAN_DICTIONARY_PASSWORDS", d.dictionaryPasswords, 1, 10_000),
    sprayLogins: number("MAILAUTH_BAN_SPRAY_LOGINS", d.sprayLogins, 1, 10_000),
    maxTolerance: number("MAILAUTH_REPUTATION_MAX_TOLERANCE", d.maxTolerance, 1, 100, false),
    maxDelaySeconds: number("MAILAUTH_TARPIT_MAX_SECONDS", d.maxDelaySeconds, 0, 60),
    maxKeys: number("MAILAUTH_REPUTATION_MAX_KEYS", d.maxKeys, 100, 10_000_000),
  };

  let ladder = DEFAULT_ESCALATION.ladder;
  const ladderText = raw("MAILAUTH_BAN_LADDER");
  if (ladderText !== undefined) {
    const parsed = parseLadder(ladderText);
    if (parsed.ok) ladder = parsed.ladder;
    else errors.push(`MAILAUTH_BAN_LADDER: ${parsed.error}`);
  }
  const escalation: EscalationSettings = {
    ladder,
    jitter: number("MAILAUTH_BAN_JITTER", DEFAULT_ESCALATION.jitter, 0, 1, false),
    permanentReviewMs: duration("MAILAUTH_BAN_REVIEW_AFTER", DEFAULT_ESCALATION.permanentReviewMs),
  };

  if (errors.length === 0 && reputation.badReputationScore >= reputation.banScore) {
    errors.push(
      `MAILAUTH_BAN_WEAK_PASSWORD_AFTER_SCORE (${reputation.badReputationScore}) must be below MAILAUTH_BAN_SCORE (${reputation.banScore})`,
    );
  }
  // The ranges above keep every other rule; this is a guard should they drift apart.
  if (errors.length === 0) errors.push(...reputationSettingsProblems(reputation));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, reputation, escalation };
}
