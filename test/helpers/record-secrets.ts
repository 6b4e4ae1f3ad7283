import { rememberBodySecrets, rememberSecret } from "./log-audit.js";

/**
 * Set up in every test file (vitest.config.ts): every password, secret or token a test sends
 * over HTTP, in a form, a JSON body or an Authorization header, is noted for the log audit, so
 * wrong guesses and admin API resets are checked as well as the passwords accounts were given.
 */
const realFetch = globalThis.fetch;
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  rememberBodySecrets(init?.body);
  const auth = new Headers(init?.headers).get("authorization");
  if (auth) rememberSecret(auth.replace(/^(Bearer|Basic)\b\s*/i, ""));
  return realFetch(input, init);
};
