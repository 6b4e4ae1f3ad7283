import { dictionary } from "@zxcvbn-ts/language-fr";

/**
 * French word lists added to zxcvbn's own (English) ones, most frequent first: zxcvbn ranks a
 * dictionary match by its position, so the order is the guess count an attacker pays.
 *
 * From @zxcvbn-ts/language-fr (MIT; its common words derive from OpenSubtitles via OPUS, ODC-BY,
 * see that package's NOTICE.md). Words under three letters are left out: they match pieces of
 * every random password and only add work.
 */
export const FRENCH_WORD_LISTS: Readonly<Record<string, readonly string[]>> = {
  // Spoken French: soleil, bisous, chouchou, princesse...
  french_words: usable(dictionary["commonWords-fr"]),
  // Cities, regions, clubs: toulouse, bretagne, olympique...
  french_wikipedia: usable(dictionary["wikipedia-fr"]),
  // The package's "firstnames" and "lastnames" lists are swapped; one list of names avoids caring.
  french_names: usable([...dictionary["lastnames-fr"], ...dictionary["firstnames-fr"]]),
};

function usable(words: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const word of words) {
    const lower = word.toLowerCase();
    if (lower.length >= 3) seen.add(lower);
  }
  return [...seen];
}
