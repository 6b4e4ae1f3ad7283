import { manualClock } from "../../../src/clock.js";
import {
  type Evidence,
  type Outcome,
  passwordTag,
  ReputationBook,
  type ReputationSettings,
  sprayTag,
  type Verdict,
} from "../../../src/reputation/model.js";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const KEY = Buffer.from("test key for password tags, never a real one");

/** A book and a clock that tests move by hand, with attempts written as sentences. */
export function scene(settings?: ReputationSettings) {
  const clock = manualClock(new Date("2026-03-02T08:00:00Z"));
  const book = settings ? new ReputationBook(settings) : new ReputationBook();
  const attempt = (
    ip: string,
    login: string,
    outcome: Outcome,
    password = "",
    withSprayTag = false,
  ): Verdict => {
    const e: Evidence = { at: clock.now(), ip, login, outcome };
    if (outcome !== "ok" && outcome !== "policy_reject") {
      e.passwordTag = passwordTag(KEY, login, password);
      if (withSprayTag) e.sprayTag = sprayTag(KEY, password);
    }
    return book.observe(e);
  };
  return { clock, book, attempt };
}

export function actions(verdicts: Verdict[]): string[] {
  return verdicts.map((v) => v.action);
}
