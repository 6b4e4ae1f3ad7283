import type { Clock } from "../clock.js";
import type { Queryable } from "../db/database.js";
import type { ReputationBook } from "../reputation/model.js";
import type { Blacklist } from "./blacklist.js";
import { type BanRow, banHistory } from "./queries.js";

/** A ban as `--json` and the admin API show it. */
export function banView(ban: BanRow) {
  return {
    network: ban.network,
    reason: ban.reason,
    source: ban.source,
    level: ban.level,
    created_at: ban.created_at.toISOString(),
    expires_at: ban.expires_at?.toISOString() ?? null,
    review_at: ban.review_at?.toISOString() ?? null,
    lifted_at: ban.lifted_at?.toISOString() ?? null,
    lifted_reason: ban.lifted_reason,
    hits: ban.hits,
    first_seen: ban.first_seen.toISOString(),
    last_seen: ban.last_seen.toISOString(),
  };
}

/** Where an address stands: allowlist, ban, reputation and why, ban history; null if not an address. */
export async function ipView(
  s: { db: Queryable; blacklist: Blacklist; reputation: ReputationBook; clock: Clock },
  ip: string,
) {
  const explanation = s.reputation.explain(ip, s.clock.now());
  if (explanation.key === null) return null;
  const standing = s.blacklist.check(ip);
  const history = await banHistory(
    s.db,
    explanation.key.includes("/") ? explanation.key : `${explanation.key}/${ip.includes(":") ? 128 : 32}`,
  );
  return {
    standing,
    explanation,
    history,
    view: {
      ip,
      key: explanation.key,
      banned: standing.ban ? banView(standing.ban) : null,
      allowed: standing.allow
        ? { network: standing.allow.network, reason: standing.allow.reason, builtin: standing.allow.builtin }
        : null,
      reputation: {
        tracked: explanation.tracked,
        verdict: explanation.verdict,
        score: explanation.standing.score,
        why: explanation.why,
      },
      history: history.map(banView),
    },
  };
}
