import { AZERTY_GRAPH } from "./azerty-graph.js";
import {
  type DictionaryMatch,
  matching,
  type RankedDictionaries,
  scoring,
  zxcvbnDictionaries,
  zxcvbnGraphs,
} from "./zxcvbn-internals.js";

/**
 * What we teach zxcvbn 4.4.2. Each change only adds matches or bounds work, so another user of
 * zxcvbn in this process would get stricter, never laxer, scores. The tests check each one.
 */

/** Keyboard walks on AZERTY (`qsdfghjklm`, `wxcvbn`), which zxcvbn scored 2. */
export function addAzerty(): void {
  const graphs = {
    qwerty: zxcvbnGraphs.qwerty ?? {},
    dvorak: zxcvbnGraphs.dvorak ?? {},
    keypad: zxcvbnGraphs.keypad ?? {},
    mac_keypad: zxcvbnGraphs.mac_keypad ?? {},
    azerty: AZERTY_GRAPH,
  };
  const spatialMatch = matching.spatial_match;
  matching.spatial_match = function (password, given) {
    return spatialMatch.call(this, password, given ?? graphs);
  };
  // Unknown layouts are scored as keypads (15 keys); AZERTY has QWERTY's key count and degree.
  const spatialGuesses = scoring.spatial_guesses;
  scoring.spatial_guesses = function (match) {
    return spatialGuesses.call(this, match.graph === "azerty" ? { ...match, graph: "qwerty" } : match);
  };
}

/** zxcvbn's "recent year" pattern stops at 2019, so `soleil2024` got no credit for the year. */
export function addRecentYears(): void {
  const regexMatch = matching.regex_match;
  const recentYears = { recent_year: /19\d\d|20\d\d/g };
  matching.regex_match = function (password, given) {
    return regexMatch.call(this, password, given ?? recentYears);
  };
}

/** Past this many l33t readings of one password, each symbol is read one way. */
const MAX_L33T_COMBINATIONS = 8;

/**
 * zxcvbn tries every reading of the l33t symbols present (each of `( { [ <` as c, `1` as i or l...),
 * each reading a full dictionary pass: 19 distinct symbols make 368 readings, and 32 such
 * characters took 270 ms. People use a few symbols, one way each; past that, one reading each.
 */
export function boundL33t(): void {
  const relevantSubtable = matching.relevant_l33t_subtable;
  matching.relevant_l33t_subtable = function (password, table) {
    const subtable = relevantSubtable.call(this, password, table);
    const combinations = Object.values(subtable).reduce((n, subs) => n * subs.length, 1);
    if (combinations <= MAX_L33T_COMBINATIONS) return subtable;
    return Object.fromEntries(Object.entries(subtable).map(([letter, subs]) => [letter, subs.slice(0, 1)]));
  };
}

/**
 * The same dictionary matches, found with one lookup per substring instead of one per dictionary
 * (ten, with the French lists), and no substring longer than the longest word. Plain, reversed
 * and l33t passes all come here: this is most of zxcvbn's time.
 */
export function indexDictionaries(): void {
  const dictionaryMatch = matching.dictionary_match;
  const { index, names, longest } = buildIndex(zxcvbnDictionaries);
  matching.dictionary_match = function (password, given) {
    // Other dictionaries (zxcvbn's own tests pass some) take the original path.
    if (given !== undefined && given !== zxcvbnDictionaries)
      return dictionaryMatch.call(this, password, given);
    const lower = password.toLowerCase();
    const matches: DictionaryMatch[] = [];
    for (let i = 0; i < lower.length; i++) {
      const end = Math.min(lower.length, i + longest);
      for (let j = i; j < end; j++) {
        const word = lower.slice(i, j + 1);
        const hits = index.get(word);
        if (hits === undefined) continue;
        for (const hit of typeof hits === "number" ? [hits] : hits) {
          matches.push({
            pattern: "dictionary",
            i,
            j,
            token: password.slice(i, j + 1),
            matched_word: word,
            rank: Math.floor(hit / MAX_DICTIONARIES),
            dictionary_name: names[hit % MAX_DICTIONARIES] ?? "",
            reversed: false,
            l33t: false,
          });
        }
      }
    }
    // The login's own words change on every call: looked up as zxcvbn does, after the rest
    // (zxcvbn adds them last too, so equal-position matches keep their order).
    const personal = zxcvbnDictionaries.user_inputs;
    if (personal) matches.push(...dictionaryMatch.call(this, password, { user_inputs: personal }));
    return this.sorted(matches);
  };
}

/** Each hit is one small integer, rank * MAX_DICTIONARIES + dictionary number: no object per word. */
const MAX_DICTIONARIES = 16;

/** word -> its hits, in zxcvbn's dictionary order (a number when, as mostly, there is one). */
function buildIndex(dictionaries: RankedDictionaries) {
  const names = Object.keys(dictionaries).filter((name) => name !== "user_inputs");
  if (names.length > MAX_DICTIONARIES) throw new Error(`more than ${MAX_DICTIONARIES} zxcvbn dictionaries`);
  const index = new Map<string, number | number[]>();
  let longest = 0;
  names.forEach((name, n) => {
    const ranked = dictionaries[name] ?? {};
    for (const word in ranked) {
      const hit = (ranked[word] ?? 0) * MAX_DICTIONARIES + n;
      const hits = index.get(word);
      index.set(word, hits === undefined ? hit : typeof hits === "number" ? [hits, hit] : [...hits, hit]);
      if (word.length > longest) longest = word.length;
    }
  });
  return { index, names, longest };
}
