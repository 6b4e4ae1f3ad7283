/**
 * Password strength: refuse weak passwords at login before any hash is checked, and refuse weak
 * new passwords with plain-words reasons. docs/weak-passwords.md explains the choices.
 */
export { createStrengthJudge, DEFAULT_CACHE_SIZE } from "./judge.js";
export { JUDGED_PREFIX } from "./judged-text.js";
export {
  DEFAULT_STRENGTH_SETTINGS,
  type StrengthSettingsResult,
  strengthSettingsFromEnv,
} from "./settings.js";
export type {
  LoginVerdict,
  SetPolicy,
  SetVerdict,
  StrengthJudge,
  StrengthPolicy,
  StrengthSettings,
} from "./types.js";
export { userInputsFor } from "./user-inputs.js";
