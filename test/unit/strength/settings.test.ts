import { describe, expect, it } from "vitest";
import { DEFAULT_STRENGTH_SETTINGS, strengthSettingsFromEnv } from "../../../src/strength/index.js";

describe("strengthSettingsFromEnv", () => {
  it("defaults to score at most 1 or under 8 characters at login, and 3 and 10 for new passwords", () => {
    expect(strengthSettingsFromEnv({})).toEqual({
      ok: true,
      settings: {
        login: { maxWeakScore: 1, minLength: 8 },
        set: { minScore: 3, minLength: 10 },
        providerWords: [],
      },
    });
    expect(DEFAULT_STRENGTH_SETTINGS.login).toEqual({ maxWeakScore: 1, minLength: 8 });
  });

  it("reads every setting", () => {
    const result = strengthSettingsFromEnv({
      MAILAUTH_WEAK_LOGIN_MAX_SCORE: "2",
      MAILAUTH_WEAK_LOGIN_MIN_LENGTH: "10",
      MAILAUTH_PASSWORD_MIN_SCORE: "4",
      MAILAUTH_PASSWORD_MIN_LENGTH: "14",
      MAILAUTH_PROVIDER_WORDS: " Courrielo, courrielo.fr ,,mail.courrielo.fr",
    });
    expect(result).toEqual({
      ok: true,
      settings: {
        login: { maxWeakScore: 2, minLength: 10 },
        set: { minScore: 4, minLength: 14 },
        providerWords: ["Courrielo", "courrielo.fr", "mail.courrielo.fr"],
      },
    });
  });

  it("names each bad setting", () => {
    const result = strengthSettingsFromEnv({
      MAILAUTH_WEAK_LOGIN_MAX_SCORE: "5",
      MAILAUTH_WEAK_LOGIN_MIN_LENGTH: "eight",
      MAILAUTH_PASSWORD_MIN_SCORE: "-1",
      MAILAUTH_PASSWORD_MIN_LENGTH: "0",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(4);
    for (const name of [
      "MAILAUTH_WEAK_LOGIN_MAX_SCORE",
      "MAILAUTH_WEAK_LOGIN_MIN_LENGTH",
      "MAILAUTH_PASSWORD_MIN_SCORE",
      "MAILAUTH_PASSWORD_MIN_LENGTH",
    ]) {
      expect(result.errors.some((error) => error.startsWith(`${name} must be`))).toBe(true);
    }
  });

  it("refuses a set policy laxer than the login one, which would lock out new passwords", () => {
    const byScore = strengthSettingsFromEnv({ MAILAUTH_WEAK_LOGIN_MAX_SCORE: "3" });
    expect(byScore).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^MAILAUTH_PASSWORD_MIN_SCORE \(3\) must be above/)],
    });
    const byLength = strengthSettingsFromEnv({ MAILAUTH_PASSWORD_MIN_LENGTH: "6" });
    expect(byLength).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^MAILAUTH_PASSWORD_MIN_LENGTH \(6\) must be at least/)],
    });
  });

  it("bounds the provider words", () => {
    const many = strengthSettingsFromEnv({
      MAILAUTH_PROVIDER_WORDS: Array.from({ length: 21 }, (_, i) => `w${i}`).join(","),
    });
    expect(many).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^MAILAUTH_PROVIDER_WORDS takes at most 20/)],
    });
    const long = strengthSettingsFromEnv({ MAILAUTH_PROVIDER_WORDS: "x".repeat(65) });
    expect(long).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^MAILAUTH_PROVIDER_WORDS words must be/)],
    });
  });
});
