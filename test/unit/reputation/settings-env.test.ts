import { describe, expect, it } from "vitest";
import { DEFAULT_ESCALATION } from "../../../src/reputation/escalation.js";
import { DEFAULT_REPUTATION } from "../../../src/reputation/settings.js";
import { banSettingsFromEnv } from "../../../src/reputation/settings-env.js";

describe("banSettingsFromEnv", () => {
  it("gives the defaults for an empty environment", () => {
    expect(banSettingsFromEnv({})).toEqual({
      ok: true,
      reputation: DEFAULT_REPUTATION,
      escalation: DEFAULT_ESCALATION,
    });
  });

  it("reads durations, numbers and the ladder", () => {
    const result = banSettingsFromEnv({
      MAILAUTH_REPUTATION_V6_PREFIX: "56",
      MAILAUTH_REPUTATION_HALF_LIFE: "12h",
      MAILAUTH_BAN_SPRAY_LOGINS: "25",
      MAILAUTH_BAN_WEAK_PASSWORD_AFTER_SCORE: "2.5",
      MAILAUTH_BAN_LADDER: "30m,6h,2d",
      MAILAUTH_BAN_JITTER: "0.25",
    });
    expect(result).toMatchObject({
      ok: true,
      reputation: {
        v6Prefix: 56,
        failureHalfLifeMs: 12 * 3_600_000,
        sprayLogins: 25,
        badReputationScore: 2.5,
      },
      escalation: { ladder: [30 * 60_000, 6 * 3_600_000, 2 * 86_400_000], jitter: 0.25 },
    });
  });

  it("names every variable that is wrong, at once", () => {
    const result = banSettingsFromEnv({
      MAILAUTH_REPUTATION_V6_PREFIX: "200",
      MAILAUTH_REPUTATION_HALF_LIFE: "6",
      MAILAUTH_BAN_LADDER: "1d,1h",
      MAILAUTH_TARPIT_MAX_SECONDS: "permanent",
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(4);
      expect(result.errors[0]).toBe(
        'MAILAUTH_REPUTATION_V6_PREFIX must be a whole number from 32 to 128, got "200"',
      );
      expect(result.errors.join("\n")).toContain("MAILAUTH_REPUTATION_HALF_LIFE:");
      expect(result.errors.join("\n")).toContain("MAILAUTH_BAN_LADDER: step 2 of the ladder (1h) is shorter");
      expect(result.errors.join("\n")).toContain("MAILAUTH_TARPIT_MAX_SECONDS");
    }
  });

  it("refuses a weak-password score that is not below the ban score", () => {
    const result = banSettingsFromEnv({ MAILAUTH_BAN_WEAK_PASSWORD_AFTER_SCORE: "30" });
    expect(result).toEqual({
      ok: false,
      errors: ["MAILAUTH_BAN_WEAK_PASSWORD_AFTER_SCORE (30) must be below MAILAUTH_BAN_SCORE (20)"],
    });
  });
});
