import { randomUUID } from "node:crypto";
import type { UserdbFields } from "../accounts/queries.js";
import { handleAttempt } from "../auth/attempt.js";
import type { Deps } from "../deps.js";
import { parseRemoteAddress } from "../net/remote-address.js";
import { parseGrantForm } from "./grant-form.js";
import { type PlainRoute, type Reply, reply } from "./plain-route.js";
import { secretMatcher } from "./secret-compare.js";

const MAX_BODY = 8 * 1024;
const EMPTY_FIELDS: UserdbFields = { home: "", mail: "", uid: "", gid: "", quota_rule: "" };

/**
 * Dovecot's oauth2 passdb in password-grant mode (docs/dovecot.md). Replies are chosen for how
 * Dovecot reads them: 200 with active "true" logs in; invalid_grant (or, for 2.4, 200 with active
 * "false") is a wrong password; any other 4xx or 5xx is a temporary failure, so backend trouble
 * never looks like a wrong password to the mail client.
 */
export function dovecotTokenRoute(deps: Deps): PlainRoute {
  const idMatches = secretMatcher(deps.dovecotClient.id);
  const secretMatches = secretMatcher(deps.dovecotClient.secret);
  const ttl = deps.config.dovecot.tokenTtlSeconds;

  const failure = (username: string, notBefore?: number): Reply => {
    const answer =
      deps.config.dovecot.failureStyle === "dovecot24"
        ? reply(200, { ...tokenFields(username, ttl), active: "false", ...EMPTY_FIELDS })
        : reply(400, { error: "invalid_grant" });
    if (notBefore !== undefined) answer.notBefore = notBefore;
    return answer;
  };

  const handle: PlainRoute["handle"] = async (request) => {
    const form = parseGrantForm(request.body);
    if (!form.ok) return reply(400, { error: "invalid_request", error_description: form.reason });
    const { username, password } = form.grant;
    // Both checks always run: && would let the time tell which of the two was wrong.
    const clientOk = [idMatches(form.grant.clientId), secretMatches(form.grant.clientSecret)].every(Boolean);
    if (!clientOk) {
      request
        .log()
        .warn(
          { client_id: form.grant.clientId.slice(0, 64) },
          "dovecot token request with wrong client credentials",
        );
      return reply(401, { error: "invalid_client" });
    }

    const ip = parseRemoteAddress(request.header("x-dovecot-auth-remote"));
    const service = serviceName(
      request.header("x-dovecot-auth-service") ?? request.header("x-dovecot-auth-protocol"),
    );
    try {
      const result = await handleAttempt(deps, {
        login: username.toLowerCase(),
        password,
        ip,
        service,
        log: request.log,
      });
      if (!result.ok) return failure(username, result.notBefore);
      return reply(200, { ...tokenFields(username, ttl), active: "true", ...result.fields });
    } catch (error) {
      request.log().error({ err: (error as Error).message, account: username }, "login could not be checked");
      return reply(503, { error: "temporarily_unavailable" });
    }
  };
  return { path: "/dovecot/token", maxBody: MAX_BODY, handle };
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
