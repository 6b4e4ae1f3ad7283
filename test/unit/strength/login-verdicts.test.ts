import { describe, expect, it } from "vitest";
import { createStrengthJudge, DEFAULT_STRENGTH_SETTINGS } from "../../../src/strength/index.js";

// Deliberately weak passwords below: they are the point of these tests.
const JEAN = "jean.dupont@exemple.fr";
const judge = createStrengthJudge({
  ...DEFAULT_STRENGTH_SETTINGS,
  providerWords: ["Courrielo", "courrielo.fr"],
});
const weakAtLogin = (password: string, login = JEAN) => judge.judgeLogin(password, login).weak;

/** Deterministic "random" text, so a failure can be replayed. */
function randomText(length: number, alphabet: string, seed = 1): string {
  let state = seed;
  return Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return alphabet.charAt(state % alphabet.length);
  }).join("");
}

describe("judgeLogin", () => {
  it.each([
    "motdepasse",
    "soleil2024",
    "doudou59",
    "marseille",
    "boulangerie",
    "chouchou",
    "princesse",
    "jetaime!",
  ])("refuses the French word or common password %s", (password) =>
    expect(judge.judgeLogin(password, JEAN)).toMatchObject({ weak: true, reason: "low_score" }),
  );

  it.each(["sunshine", "football", "iloveyou", "password1", "princess"])(
    "refuses the English common password %s",
    (password) => expect(weakAtLogin(password)).toBe(true),
  );

  it.each(["azerty123", "azertyuiop", "qsdfghjklm", "wxcvbn,;", "aqwzsxedc"])(
    "refuses the AZERTY keyboard walk %s",
    (password) => expect(weakAtLogin(password)).toBe(true),
  );

  it.each(["qwertyuiop", "1qaz2wsx", "zxcvbnm,./"])("refuses the QWERTY keyboard walk %s", (password) =>
    expect(weakAtLogin(password)).toBe(true),
  );

  it.each(["jean.dupont2024", "Jean.Dupont1990", "dupont2024", "jdupont123", "tnopud.naej", "exemple2024"])(
    "refuses %s for jean.dupont@exemple.fr: the login's own parts plus a year",
    (password) => expect(weakAtLogin(password)).toBe(true),
  );

  it("accepts jean.dupont2024 for another user, for whom it is not personal", () => {
    expect(judge.judgeLogin("jean.dupont2024", "marie.curie@ailleurs.org")).toEqual({ weak: false });
  });

  it.each(["Courrielo2024", "courrielo.fr", "c0urri3l0!"])("refuses the provider's brand in %s", (password) =>
    expect(judge.judgeLogin(password, "marie.curie@ailleurs.org").weak).toBe(true),
  );

  it.each(["P@ssw0rd", "m0td3p@ss3", "s0l3il2024", "b0ul@ng3r13"])(
    "sees through the leetspeak of %s",
    (password) => expect(weakAtLogin(password)).toBe(true),
  );

  it.each(["soleil", "jetaime", "🙂🙂🙂🙂", ""])("refuses %j as too short", (password) =>
    expect(judge.judgeLogin(password, JEAN)).toMatchObject({ weak: true, reason: "too_short" }),
  );

  it("counts length in characters, so eight emoji are long enough but still a repeat", () => {
    expect(judge.judgeLogin("🔥".repeat(8), JEAN)).toEqual({ weak: true, reason: "low_score", score: 0 });
  });

  it.each([
    "correct horse battery staple",
    "lavande moulin falaise hamac",
    "cheval-agrafe-pile-correcte",
    "Tr0ub4dor&3",
  ])("accepts the strong password %s", (password) =>
    expect(judge.judgeLogin(password, JEAN)).toEqual({ weak: false }),
  );

  it.each(["日本語のパスワードです", "Ré$umé-Été-2024", "пароль-Волга-7391"])(
    "accepts the strong Unicode password %s",
    (password) => expect(weakAtLogin(password)).toBe(false),
  );

  it("refuses a repeated accented letter", () => {
    expect(weakAtLogin("éééééééééé")).toBe(true);
  });

  it("judges an accented word the same whether typed composed or decomposed", () => {
    const composed = "éléphant";
    const decomposed = composed.normalize("NFD");
    expect(decomposed).not.toBe(composed);
    expect(judge.judgeLogin(decomposed, JEAN)).toEqual(judge.judgeLogin(composed, JEAN));
    expect(weakAtLogin(decomposed)).toBe(true);
  });

  it("judges a 1,000-character password on its prefix: random is strong, a repeat is weak", () => {
    const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join("");
    expect(judge.judgeLogin(randomText(1000, printable), JEAN)).toEqual({ weak: false });
    expect(judge.judgeLogin("a".repeat(1000), JEAN)).toEqual({ weak: true, reason: "low_score", score: 0 });
    expect(judge.judgeLogin("jetaime!".repeat(125), JEAN).weak).toBe(true);
  });

  it("judges only the prefix: weak characters after the first 32 change nothing", () => {
    const strong = "lavande moulin falaise hamac 7x";
    expect(strong).toHaveLength(31);
    expect(judge.judgeLogin(`${strong}!${"a".repeat(500)}`, JEAN)).toEqual({ weak: false });
  });

  it("follows a laxer configured policy", () => {
    const lax = createStrengthJudge({
      login: { maxWeakScore: 0, minLength: 6 },
      set: { minScore: 1, minLength: 6 },
      providerWords: [],
    });
    expect(lax.judgeLogin("soleil", JEAN)).toEqual({ weak: true, reason: "low_score", score: 0 });
    expect(lax.judgeLogin("soleil2024", JEAN)).toEqual({ weak: false });
  });
});
