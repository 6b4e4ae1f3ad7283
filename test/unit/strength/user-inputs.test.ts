import { describe, expect, it } from "vitest";
import { userInputsFor } from "../../../src/strength/index.js";

describe("userInputsFor", () => {
  it("splits the local part on . _ - + and keeps the joined and initial forms", () => {
    expect(userInputsFor("jean.dupont@exemple.fr", [])).toEqual([
      "jean.dupont",
      "jeandupont",
      "jean",
      "dupont",
      "jdupont",
      "exemple.fr",
      "exemple",
    ]);
  });

  it("splits on underscores, hyphens and plus signs too", () => {
    const inputs = userInputsFor("marie_claire-durand+spam@exemple.fr", []);
    expect(inputs).toEqual(
      expect.arrayContaining(["marie", "claire", "durand", "spam", "mclaire", "mdurand"]),
    );
  });

  it("drops trailing digits from parts, since users write their own numbers", () => {
    expect(userInputsFor("dupont59@exemple.fr", [])).toEqual(expect.arrayContaining(["dupont59", "dupont"]));
  });

  it("uses every domain label but the top-level one", () => {
    const inputs = userInputsFor("jean@mail.courrielo.co.uk", []);
    expect(inputs).toEqual(expect.arrayContaining(["mail.courrielo.co.uk", "mail", "courrielo"]));
    expect(inputs).not.toContain("uk");
  });

  it("adds the provider words, split like the login, after the login's own parts", () => {
    const inputs = userInputsFor("jean@exemple.fr", ["Courrielo", "courrielo-mail.fr", "Mail Libre"]);
    expect(inputs.slice(0, 3)).toEqual(["jean", "exemple.fr", "exemple"]);
    expect(inputs).toEqual(
      expect.arrayContaining([
        "courrielo",
        "courrielo-mail.fr",
        "courrielomail",
        "mail libre",
        "maillibre",
        "libre",
      ]),
    );
  });

  it("is case-insensitive and accepts a login without a domain", () => {
    expect(userInputsFor("Jean.Dupont", [])).toEqual([
      "jean.dupont",
      "jeandupont",
      "jean",
      "dupont",
      "jdupont",
    ]);
  });

  it("leaves out pieces under three letters", () => {
    expect(userInputsFor("li.wu@ab.fr", [])).toEqual(["li.wu", "liwu", "lwu", "ab.fr"]);
  });

  it("bounds the work an attacker-chosen login can cause", () => {
    const inputs = userInputsFor(`${"abc.".repeat(500)}x@exemple.fr`, []);
    expect(inputs.length).toBeLessThanOrEqual(40);
    expect(Math.max(...inputs.map((i) => i.length))).toBeLessThanOrEqual(128);
  });
});
