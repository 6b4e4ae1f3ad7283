import { describe, expect, it } from "vitest";
import { createStrengthJudge, DEFAULT_STRENGTH_SETTINGS } from "../../../src/strength/index.js";

// Deliberately weak passwords below: they are the point of these tests.
const JEAN = "jean.dupont@exemple.fr";
const judge = createStrengthJudge({
  ...DEFAULT_STRENGTH_SETTINGS,
  providerWords: ["Courrielo", "courrielo.fr"],
});

function problemsOf(password: string): string[] {
  const verdict = judge.judgeNewPassword(password, JEAN);
  if (verdict.ok) throw new Error("expected the password to be refused");
  return verdict.problems;
}

describe("judgeNewPassword", () => {
  it.each(["correct horse battery staple", "lavande moulin falaise hamac", "Ré$umé-Été-2024"])(
    "accepts the strong password %s",
    (password) => expect(judge.judgeNewPassword(password, JEAN)).toEqual({ ok: true }),
  );

  it("is stricter than login: bisous2023 passes at login but cannot be set", () => {
    expect(judge.judgeLogin("bisous2023", JEAN)).toEqual({ weak: false });
    expect(problemsOf("bisous2023")).toContain(
      "It is too easy to guess: it scores 2 out of 4 and at least 3 is needed.",
    );
  });

  it("asks for ten characters even from an unguessable short password", () => {
    expect(problemsOf("Wq8#zP2!k")).toEqual(["Use at least 10 characters."]);
  });

  it("says in plain words that the address is in the password", () => {
    expect(problemsOf("jean.dupont2024")).toEqual(
      expect.arrayContaining([
        "It contains part of the account's address or of the provider's name.",
        "It contains a year or a date.",
      ]),
    );
  });

  it.each([
    ["azertyuiop", "It follows neighbouring keys on the keyboard."],
    ["boulangerie", "It is built on a common word; add more, unrelated words."],
    ["b0ul@ng3r13", "Symbols that look like letters (@ for a, 0 for o) do not hide a word."],
    ["motdepasse", "It contains one of the most used passwords."],
    ["chouchouchou", "It repeats a character or a group of characters."],
    ["abcdefghijkl", "It contains a run of consecutive letters or digits."],
    ["Courrielo2024", "It contains part of the account's address or of the provider's name."],
  ])("explains why %s is refused", (password, problem) => {
    expect(problemsOf(password)).toContain(problem);
  });

  it.each([
    "jean.dupont2024",
    "azertyuiop",
    "motdepasse",
    "Courrielo2024",
    "b0ul@ng3r13",
    "sunshine",
    "qsdfghjklm",
    "soleil",
    "doudou59",
    "abcdefghijkl",
  ])("never echoes the refused password %s, nor its words, in the feedback", (password) => {
    const feedback = problemsOf(password).join("\n").toLowerCase();
    expect(feedback).not.toContain(password.toLowerCase());
    for (const word of password
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((w) => w.length >= 4)) {
      expect(feedback).not.toContain(word);
    }
  });
});
