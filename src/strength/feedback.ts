import type { Estimate } from "./estimator.js";
import type { SetPolicy } from "./types.js";

/**
 * Why a new password is refused, in plain words for `user add` / `user passwd`. Built from the
 * kinds of pattern zxcvbn found, never from the matched text, so no part of the password is
 * echoed to a terminal, a log or an HTTP reply.
 */
export function problemsWith(estimate: Estimate, length: number, policy: SetPolicy): string[] {
  const problems: string[] = [];
  if (length < policy.minLength) problems.push(`Use at least ${policy.minLength} characters.`);
  if (estimate.score < policy.minScore) {
    problems.push(
      `It is too easy to guess: it scores ${estimate.score} out of 4 and at least ${policy.minScore} is needed.`,
    );
    for (const match of estimate.sequence) {
      const why = explain(match);
      if (why !== null) problems.push(why);
    }
    // zxcvbn's suggestions are fixed sentences ("Add another word or two...").
    problems.push(...estimate.feedback.suggestions);
  }
  return [...new Set(problems)];
}

const NAME_LISTS = new Set(["surnames", "male_names", "female_names", "french_names"]);

function explain(match: Estimate["sequence"][number]): string | null {
  switch (match.pattern) {
    case "dictionary":
      if (match.l33t) return "Symbols that look like letters (@ for a, 0 for o) do not hide a word.";
      if (match.reversed) return "A word spelled backwards is still a word.";
      if (match.dictionary_name === "user_inputs") {
        return "It contains part of the account's address or of the provider's name.";
      }
      if (match.dictionary_name === "passwords") return "It contains one of the most used passwords.";
      if (NAME_LISTS.has(match.dictionary_name)) return "It contains a common first name or surname.";
      return "It is built on a common word; add more, unrelated words.";
    case "spatial":
      return "It follows neighbouring keys on the keyboard.";
    case "repeat":
      return "It repeats a character or a group of characters.";
    case "sequence":
      return "It contains a run of consecutive letters or digits.";
    case "regex":
    case "date":
      return "It contains a year or a date.";
    default:
      return null;
  }
}
