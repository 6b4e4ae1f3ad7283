import { randomBytes } from "node:crypto";
import { estimate } from "./estimator.js";
import { problemsWith } from "./feedback.js";
import { judgedText } from "./judged-text.js";
import { loginVerdict, meetsSetPolicy } from "./policy.js";
import type { LoginVerdict, SetVerdict, StrengthJudge, StrengthSettings } from "./types.js";
import { loginIdentity, userInputsFor } from "./user-inputs.js";
import { createVerdictCache } from "./verdict-cache.js";

/** About 10 MB of keys at most: past that, the least recently seen verdicts are judged again. */
export const DEFAULT_CACHE_SIZE = 100_000;

/**
 * The strength judge for logins and new passwords. The cache key is random per process unless a
 * test passes `randomKey`.
 */
export function createStrengthJudge(
  settings: StrengthSettings,
  options: { cacheSize?: number; randomKey?: Buffer } = {},
): StrengthJudge {
  const providerWords = [...settings.providerWords];
  const cache = createVerdictCache<LoginVerdict>({
    max: options.cacheSize ?? DEFAULT_CACHE_SIZE,
    secret: options.randomKey ?? randomBytes(32),
  });

  const measure = (password: string, login: string) => {
    const { text, length } = judgedText(password);
    return { length, estimate: estimate(text, userInputsFor(login, providerWords)) };
  };

  return {
    judgeLogin(password, login) {
      // The inputs are a function of the login identity (and the fixed provider words), so the
      // identity stands for them in the key, and they are only derived on a miss.
      return cache.lookup(loginIdentity(login), password, () => {
        const { length, estimate } = measure(password, login);
        return loginVerdict(estimate.score, length, settings.login);
      });
    },

    judgeNewPassword(password, login): SetVerdict {
      const { length, estimate } = measure(password, login);
      if (meetsSetPolicy(estimate.score, length, settings.set)) return { ok: true };
      return { ok: false, problems: problemsWith(estimate, length, settings.set) };
    },

    stats() {
      const { hits, misses, size } = cache.stats();
      return { cacheHits: hits, cacheMisses: misses, cacheSize: size };
    },
  };
}
