/**
 * zxcvbn's work grows with the square of the length (every substring is a dictionary lookup), and
 * worse on some inputs: 1,000 characters took over 90 s. Only the first JUDGED_PREFIX characters
 * are judged; docs/weak-passwords.md has the measurements behind 32. A password whose first 32
 * characters are guessable is weak whatever follows; one whose first 32 are not is strong.
 */
export const JUDGED_PREFIX = 32;

/** Longer than any length policy accepts (128): the rest cannot change a length verdict. */
const LENGTH_SCAN = 1024;

export interface JudgedText {
  /** The first JUDGED_PREFIX code points, NFC-normalised so "é" matches however it was typed. */
  text: string;
  /** Code points of the NFC password, counted up to LENGTH_SCAN UTF-16 units. */
  length: number;
}

/** What of a password is judged: cut on code points, so no emoji or accent is split in half. */
export function judgedText(password: string): JudgedText {
  const head = password.slice(0, LENGTH_SCAN).normalize("NFC");
  let text = "";
  let length = 0;
  for (const char of head) {
    if (length < JUDGED_PREFIX) text += char;
    length += 1;
  }
  return { text, length };
}
