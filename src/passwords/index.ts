// Public API of password verification and hashing; the rest of src/passwords is internal.
export { checkHashFormat } from "./check-format.js";
export { HashPoolBusyError } from "./hash-pool.js";
export { createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from "./hasher.js";
export type { VerifyOutcome } from "./outcome.js";
export type { VerifyContext } from "./scheme.js";
