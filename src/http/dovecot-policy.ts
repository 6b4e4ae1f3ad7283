import { banInBackground } from "../auth/attempt.js";
import type { Deps } from "../deps.js";
import type { Logger } from "../log.js";
import { normalizeIp } from "../net/remote-address.js";
import { type PlainRoute, reply } from "./plain-route.js";
import { secretMatcher } from "./secret-compare.js";

const MAX_BODY = 8 * 1024;
const REFUSAL = "Access denied: too many failed logins from your address.";
/** How long `allow` waits for the ban it decided to be committed; Dovecot waits 2 s in all. */
const BAN_COMMIT_WAIT_MS = 1000;

/** What Dovecot's auth-policy client sends (reference section 5); only what mailauth reads. */
interface PolicyRequest {
  login: string;
  remote: string | null;
  protocol: string;
  pwhash: string;
  success?: boolean;
  policyReject?: boolean;
}

/** Validates the JSON body; a reason instead of a value when it is not a policy request. */
export function parsePolicyRequest(
  body: string,
  command: "allow" | "report",
): { ok: true; request: PolicyRequest } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return { ok: false, reason: "body is not a JSON object" };
  const o = json as Record<string, unknown>;
  const text = (name: string) =>
    typeof o[name] === "string" ? (o[name] as string) : o[name] === undefined ? "" : null;
  const login = text("login");
  const remote = text("remote");
  const protocol = text("protocol");
  const pwhash = text("pwhash");
  if (login === null || remote === null || protocol === null || pwhash === null) {
    return { ok: false, reason: "login, remote, protocol and pwhash must be strings" };
  }
  if (login.length > 512) return { ok: false, reason: "login is longer than 512 characters" };
  if (command === "report" && typeof o.success !== "boolean")
    return { ok: false, reason: "report needs a boolean success" };
  return {
    ok: true,
    request: {
      login: login.toLowerCase(),
      remote: remote === "" ? null : normalizeIp(remote),
      protocol,
      pwhash: pwhash.slice(0, 64),
      success: o.success as boolean | undefined,
      policyReject: o.policy_reject === true,
    },
  };
}

/**
 * Dovecot's auth-policy server: `allow` before the passdb (a banned address is refused, a
 * suspicious one delayed), `report` after it. Reports only feed reputation for attempts the
 * passdb did not see itself (Dovecot's auth cache, another passdb): those mailauth saw are
 * already counted, with better evidence. A report with policy_reject is our own refusal, not a
 * failed password.
 */
export function dovecotPolicyRoute(deps: Deps): PlainRoute {
  const tokenMatches = secretMatcher(`Bearer ${deps.policyToken}`);
  const answer = (status: number, msg = "") => reply(200, { status, msg });

  /** `allow`'s answer: -1 refuses, N > 0 delays N seconds, 0 allows. */
  const allowStatus = async (ip: string | null, now: Date, log: () => Logger): Promise<number> => {
    if (!ip) return 0;
    const standing = deps.blacklist.check(ip);
    if (standing.ban) {
      deps.blacklist.hit(standing.ban);
      return -1;
    }
    if (standing.allow) return 0;
    const verdict = deps.reputation.judge(ip, now);
    if (verdict.action === "tarpit") return verdict.delaySeconds;
    if (verdict.action === "ban") {
      // A refusal is the ban made visible: refuse only once it is committed, so that a crash
      // cannot lose a ban that was already being enforced. A database too slow to store it in
      // time gets the attacker the longest delay instead, and the ban is still being stored.
      const stored = await within(banInBackground(deps, ip, verdict.reason, log), BAN_COMMIT_WAIT_MS);
      return stored ? -1 : deps.reputation.settings.maxDelaySeconds;
    }
    return 0;
  };

  const handle: PlainRoute["handle"] = async (http) => {
    if (!tokenMatches(http.header("authorization") ?? "")) {
      http.log().warn("dovecot policy request with a wrong token (auth_policy_server_api_header)");
      return reply(401, { error: "unauthorized" });
    }
    const command = http.query("command");
    if (command !== "allow" && command !== "report") {
      return reply(400, { error: "invalid_request", error_description: "command must be allow or report" });
    }
    const parsed = parsePolicyRequest(http.body, command);
    if (!parsed.ok) return reply(400, { error: "invalid_request", error_description: parsed.reason });
    const { request } = parsed;
    const ip = request.remote;
    const now = deps.clock.now();
    if (command === "allow") {
      const status = await allowStatus(ip, now, http.log);
      deps.metrics.policy(status < 0 ? "refuse" : status > 0 ? "tarpit" : "allow");
      return answer(status, status < 0 ? REFUSAL : "");
    }

    // report
    if (!ip) return answer(0);
    const standing = deps.blacklist.check(ip);
    if (!standing.allow && !standing.ban && !deps.recentAttempts.seen(ip, request.login, now)) {
      const verdict = deps.reputation.observe({
        at: now,
        ip,
        login: request.login,
        outcome: request.policyReject ? "policy_reject" : request.success ? "ok" : "wrong_password",
        // Dovecot's truncated hash of the password: enough to tell "the same wrong password again".
        passwordTag: request.success ? undefined : `p${request.pwhash}`,
      });
      if (verdict.action === "ban") void banInBackground(deps, ip, verdict.reason, http.log);
    }
    return answer(0);
  };
  return { path: "/dovecot/policy", maxBody: MAX_BODY, handle };
}

/** `promise`'s value if it settles within `ms`, else false. */
async function within(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
