import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_NFT, firewallSettingsFromEnv, type NftSettings } from "../../src/firewall/config.js";
import { renderScript } from "../../src/firewall/render.js";
import { createNamespace, type Namespace, requireNft } from "./netns.js";

// Each word of nft's scanner, as table, chain and set name at once, checked by the real nft
// (nft -c: parsed and validated by the kernel, nothing applied).
const words = readFileSync(new URL("fixtures/nft-scanner-words.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line !== "" && !line.startsWith("#"));
const exported = {
  v4: [{ start: 0xc0000201n, end: 0xc0000201n, expires: null }],
  v6: [],
  invalid: [],
};

describe.runIf(requireNft("nft keyword tests"))("names nft cannot take", () => {
  let ns: Namespace;
  beforeAll(() => {
    ns = createNamespace("names");
  });
  afterAll(() => ns?.remove());

  const refused = async (word: string) => {
    const nft: NftSettings = { ...DEFAULT_NFT, table: word, chain: word, set4: word };
    return (await ns.nft(["-c", "-f", "-"], renderScript(nft, exported, new Date()))).code !== 0;
  };

  it("accepts the default names", async () => {
    expect(await refused("mailauth")).toBe(false);
    expect(await refused("input")).toBe(false);
  });

  it("rejects in the settings every scanner word that the installed nft refuses as a name", async () => {
    const refusedWords: string[] = [];
    for (const word of words) if (await refused(word)) refusedWords.push(word);
    expect(refusedWords.length).toBeGreaterThan(100);
    const accepted = refusedWords.filter(
      (word) => firewallSettingsFromEnv({ MAILAUTH_NFT_TABLE: word }, "/d").ok,
    );
    expect(accepted).toEqual([]);
  }, 120_000);
});
