import { randomUUID } from "node:crypto";
import type { Context, Hono } from "hono";
import type { UserdbFields } from "../accounts/queries.js";
import { handleAttempt } from "../auth/attempt.js";
import type { Deps } from "../deps.js";
import { parseRemoteAddress } from "../net/remote-address.js";
import { parseGrantForm } from "./grant-form.js";
import { readBodyLimited } from "./read-body.js";
import { requestLog } from "./request-context.js";
import { secretMatcher } from "./secret-compare.js";

const MAX_BODY = 8 * 1024;
const EMPTY_FIELDS: UserdbFields = { home: "", mail: "", uid: "", gid: "", quota_rule: "" };

/**
 * Dovecot's oauth2 passdb in password-grant mode (docs/dovecot.md). Replies are chosen for how
 * Dovecot reads them: 200 with active "true" logs in; invalid_grant (or, for 2.4, 200 with active
 * "false") is a wrong password; any other 4xx or 5xx is a temporary failure, so backend trouble
 * never looks like a wrong password to the mail client.
 */
export function registerDovecotToken(app: Hono, deps: Deps): void {
  const idMatches = secretMatcher(deps.dovecotClient.id);
  const secretMatches = secretMatcher(deps.dovecotClient.secret);
  const ttl = deps.config.dovecot.tokenTtlSeconds;

  const failure = (c: Context, username: string) =>
    deps.config.dovecot.failureStyle === "dovecot24"
      ? c.json({ ...tokenFields(username, ttl), active: "false", ...EMPTY_FIELDS })
      : c.json({ error: "invalid_grant" }, 400);

  app.post("/dovecot/token", async (c) => {
    const body = await readBodyLimited(c.req.raw, MAX_BODY);
    if (body === null) {
      return c.json(
        { error: "invalid_request", error_description: `body larger than ${MAX_BODY} bytes` },
        413,
      );
    }
    const form = parseGrantForm(body);
    if (!form.ok) return c.json({ error: "invalid_request", error_description: form.reason }, 400);
    const { username, password } = form.grant;
    // Both checks always run: && would let the time tell which of the two was wrong.
    const clientOk = [idMatches(form.grant.clientId), secretMatches(form.grant.clientSecret)].every(Boolean);
    if (!clientOk) {
      requestLog(c, deps.log).warn(
        { client_id: form.grant.clientId.slice(0, 64) },
        "dovecot token request with wrong client credentials",
      );
      return c.json({ error: "invalid_client" }, 401);
    }

    const ip = parseRemoteAddress(c.req.header("x-dovecot-auth-remote"));
    const service = serviceName(
      c.req.header("x-dovecot-auth-service") ?? c.req.header("x-dovecot-auth-protocol"),
    );
    try {
      const result = await handleAttempt(deps, { login: username.toLowerCase(), password, ip, service });
      if (!result.ok) return failure(c, username);
      return c.json({ ...tokenFields(username, ttl), active: "true", ...result.fields });
    } catch (error) {
      requestLog(c, deps.log).error(
        { err: (error as Error).message, account: username },
        "login could not be checked",
      );
      return c.json({ error: "temporarily_unavailable" }, 503);
    }
  });
}

/**
 * Dovecot only checks that access_token is there; it is random so it means nothing. randomUUID
 * (122 random bits) draws on Node's cached entropy, where randomBytes made a getrandom call per
 * login: 8 % of a fast-hash login's time.
 */
function tokenFields(username: string, ttl: number) {
  return {
    access_token: randomUUID(),
    token_type: "Bearer",
    expires_in: ttl,
    username,
  };
}

/** Dovecot's service name (imap, pop3, smtp, doveadm...), or "unknown" for anything odd. */
export function serviceName(header: string | undefined): string {
  const value = header?.trim().toLowerCase();
  return value && /^[a-z0-9-]{1,32}$/.test(value) ? value : "unknown";
}
