import { describe, expect, it } from "vitest";
import { estimate } from "../../../src/strength/estimator.js";
import { JUDGED_PREFIX, judgedText } from "../../../src/strength/judged-text.js";
import { matching, zxcvbnDictionaries } from "../../../src/strength/zxcvbn-internals.js";

// Each test checks one thing src/strength/estimator.ts teaches zxcvbn 4.4.2, by what it finds.
/** "pattern:dictionary, graph or regex" for each piece zxcvbn found. */
function patterns(text: string): string[] {
  return estimate(text, []).sequence.map((piece) => {
    const { pattern, dictionary_name, graph, regex_name } = piece as typeof piece & {
      graph?: string;
      regex_name?: string;
    };
    return `${pattern}:${dictionary_name ?? graph ?? regex_name ?? ""}`;
  });
}

describe("the extended zxcvbn", () => {
  it("knows AZERTY keyboard walks", () => {
    expect(patterns("qsdfghjklm")).toEqual(["spatial:azerty"]);
    expect(patterns("wxcvbn,;")).toEqual(["spatial:azerty"]);
    expect(estimate("qsdfghjklm", []).score).toBeLessThanOrEqual(1);
  });

  it("knows French words, also reversed and in leetspeak", () => {
    expect(patterns("boulangerie")).toEqual(["dictionary:french_words"]);
    expect(estimate("eiregnaluob", []).sequence[0]).toMatchObject({
      dictionary_name: "french_words",
      reversed: true,
    });
    expect(estimate("b0ul@ng3r13", []).sequence[0]).toMatchObject({
      dictionary_name: "french_words",
      l33t: true,
    });
  });

  it("knows French place names and first names", () => {
    expect(patterns("toulouse")).toEqual(["dictionary:french_wikipedia"]);
    expect(patterns("gwendoline")).toEqual(["dictionary:french_names"]);
  });

  it("takes years after 2019 as years", () => {
    expect(patterns("soleil2024")).toEqual(["dictionary:french_words", "regex:recent_year"]);
  });

  it.each(["jean.dupont2024", "Boulangerie-Soleil!", "P@ssw0rd", "Éléphant-été", "İstanbul", "x".repeat(40)])(
    "finds with its word index exactly the dictionary matches zxcvbn's own loop finds in %s",
    (password) => {
      estimate("", ["jean", "dupont", "exemple"]); // sets zxcvbn's user_inputs dictionary
      const ownLoop = matching.dictionary_match(password, { ...zxcvbnDictionaries }); // a copy: the original path
      const indexed = matching.dictionary_match(password);
      expect(indexed).toEqual(ownLoop);
      expect(indexed.length).toBeGreaterThan(0);
    },
  );

  it("still judges a password mixing every l33t symbol, reading each symbol one way", () => {
    const soup = "|1!7|+@4($5{[<0382%|1!7|+@4($5{[";
    expect(soup).toHaveLength(JUDGED_PREFIX);
    expect(estimate(soup, []).score).toBe(4);
  });
});

describe("judgedText", () => {
  it("keeps the first 32 characters and counts all of them", () => {
    expect(judgedText("a".repeat(1000))).toEqual({ text: "a".repeat(32), length: 1000 });
  });

  it("cuts on characters, not UTF-16 units, so no emoji is split", () => {
    const { text, length } = judgedText("😀".repeat(40));
    expect(length).toBe(40);
    expect([...text]).toHaveLength(32);
    expect(text).toBe("😀".repeat(32));
  });

  it("normalises to composed form, so é is one character however it was typed", () => {
    expect(judgedText("e\u0301te\u0301")).toEqual({ text: "été", length: 3 });
  });
});
