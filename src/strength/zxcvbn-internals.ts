import { createRequire } from "node:module";
import type zxcvbnType from "zxcvbn";
import type { AdjacencyGraph } from "./azerty-graph.js";
import { FRENCH_WORD_LISTS } from "./french-words.js";

/**
 * zxcvbn 4.4.2's own modules, loaded so that our French word lists are part of its dictionaries.
 * zxcvbn has no option for extra dictionaries or keyboards; its `matching` and `scoring` modules
 * export objects whose methods call each other through `this`, which zxcvbn-extensions.ts uses.
 * zxcvbn is frozen (4.4.2, 2017, is its last release), so these internals will not move.
 */

export interface DictionaryMatch {
  pattern: "dictionary";
  i: number;
  j: number;
  token: string;
  matched_word: string;
  rank: number;
  dictionary_name: string;
  reversed: boolean;
  l33t: boolean;
}
export interface Match {
  pattern: string;
  i: number;
  j: number;
  graph?: string;
  dictionary_name?: string;
}
/** word -> rank (1 = most common), per dictionary name. */
export type RankedDictionaries = Record<string, Record<string, number>>;
export type L33tTable = Record<string, string[]>;

export interface Matching {
  sorted<M extends Match>(matches: M[]): M[];
  dictionary_match(this: Matching, password: string, dictionaries?: RankedDictionaries): DictionaryMatch[];
  reverse_dictionary_match(this: Matching, password: string): DictionaryMatch[];
  spatial_match(this: Matching, password: string, graphs?: Record<string, AdjacencyGraph>): Match[];
  regex_match(this: Matching, password: string, regexen?: Record<string, RegExp>): Match[];
  relevant_l33t_subtable(this: Matching, password: string, table: L33tTable): L33tTable;
}
export interface Scoring {
  spatial_guesses(this: Scoring, match: Match): number;
}

const require = createRequire(import.meta.url);

// zxcvbn ranks its frequency lists into dictionaries once, when `matching` first loads: lists
// added before then are first-class dictionaries, also tried reversed and in l33t.
const frequencyLists = require("zxcvbn/lib/frequency_lists") as Record<string, string[]>;
for (const [name, words] of Object.entries(FRENCH_WORD_LISTS)) frequencyLists[name] ??= [...words];

export const zxcvbn = require("zxcvbn") as typeof zxcvbnType;
export const matching = require("zxcvbn/lib/matching") as Matching;
export const scoring = require("zxcvbn/lib/scoring") as Scoring;
export const zxcvbnGraphs = require("zxcvbn/lib/adjacency_graphs") as Record<string, AdjacencyGraph>;

/** zxcvbn's live dictionaries (its `user_inputs` entry changes on every call). */
export const zxcvbnDictionaries: RankedDictionaries = catchDictionaries();

if (!zxcvbnDictionaries.french_words) {
  throw new Error(
    "zxcvbn was loaded before src/strength could add its French words: import it only from here",
  );
}

/** reverse_dictionary_match passes zxcvbn's private dictionaries explicitly: catch them there. */
function catchDictionaries(): RankedDictionaries {
  const dictionaryMatch = matching.dictionary_match;
  let caught: RankedDictionaries | undefined;
  matching.dictionary_match = (_password, dictionaries) => {
    caught = dictionaries;
    return [];
  };
  try {
    matching.reverse_dictionary_match("x");
  } finally {
    matching.dictionary_match = dictionaryMatch;
  }
  if (!caught) throw new Error("zxcvbn's matching module is not the 4.4.2 this code extends");
  return caught;
}
