/**
 * Words an attacker tries first against one account: pieces of its address and the provider's
 * names. zxcvbn only matches user inputs whole, so they must be split: `jean.dupont2024` scores 4
 * with the full address as input and 1 with `jean`, `dupont`, `jeandupont` and `exemple`.
 */

/** The login is attacker-chosen: bound how much of it becomes dictionary work. */
const MAX_LOGIN_LENGTH = 128;
const MAX_INPUTS = 40;
/** Shorter pieces match parts of every password and say little about this user. */
const MIN_INPUT_LENGTH = 3;
const SEPARATORS = /[._+\-\s]+/;

/**
 * The login's own parts (local part split on `. _ - +`, joined, initial + surname, without
 * trailing digits; domain labels) then the provider's words, most specific first (zxcvbn ranks
 * an input by its position), lower-cased, deduplicated.
 */
export function userInputsFor(login: string, providerWords: readonly string[]): string[] {
  const inputs = new Set<string>();
  const add = (word: string): void => {
    if (word.length >= MIN_INPUT_LENGTH && inputs.size < MAX_INPUTS) inputs.add(word);
  };

  const address = loginIdentity(login);
  const at = address.lastIndexOf("@");
  const local = at === -1 ? address : address.slice(0, at);
  const domain = at === -1 ? "" : address.slice(at + 1);

  for (const word of wordsOf(local, { initials: true })) add(word);
  for (const word of domainWords(domain)) add(word);
  for (const provided of providerWords) {
    const word = provided.normalize("NFC").toLowerCase().trim();
    for (const piece of word.includes(".") && !/\s/.test(word) ? domainWords(word) : wordsOf(word))
      add(piece);
  }
  return [...inputs];
}

/** The part of a login its inputs depend on: two logins with the same identity get the same inputs. */
export function loginIdentity(login: string): string {
  return login.slice(0, MAX_LOGIN_LENGTH).normalize("NFC").toLowerCase().trim();
}

/** `jean.dupont59` gives jean.dupont59, jeandupont59, jean, dupont59, dupont, and with initials jdupont. */
function wordsOf(text: string, options = { initials: false }): string[] {
  const parts = text.split(SEPARATORS).filter(Boolean);
  const bare = parts.map((part) => part.replace(/\d+$/, "")).filter(Boolean);
  const words = [text, parts.join(""), ...parts, ...bare];
  if (bare.length > 1) words.push(bare.join(""));
  if (options.initials && bare.length > 1) {
    const initial = bare[0]?.charAt(0) ?? "";
    const rest = bare.slice(1);
    words.push(initial + rest.join(""), ...rest.map((part) => initial + part));
  }
  return words;
}

/** `mail.exemple.fr` gives mail.exemple.fr, mail, exemple: every label but the top-level one. */
function domainWords(domain: string): string[] {
  const labels = domain.split(".").filter(Boolean);
  if (labels.length === 0) return [];
  const named = labels.length > 1 ? labels.slice(0, -1) : labels;
  return [domain, ...named.flatMap((label) => wordsOf(label))];
}
