import { pruneHistory } from "./blacklist/queries.js";
import type { Clock } from "./clock.js";
import type { Queryable } from "./db/database.js";
import type { Logger } from "./log.js";
import { type EscalationSettings, historyRetention } from "./reputation/escalation.js";
import type { ReputationBook } from "./reputation/model.js";

const DAY = 86_400_000;
const BATCH = 10_000;

export interface HousekeepingDeps {
  db: Queryable;
  log: Logger;
  clock: Clock;
  reputation: ReputationBook;
  escalation: Pick<EscalationSettings, "ladder" | "jitter">;
  eventRetentionDays: number;
}

export interface HousekeepingRun {
  events: number;
  bans: number;
  addresses: number;
}

/**
 * What would otherwise grow for ever: auth events older than the retention, ban rows past the
 * offence history's retention (docs/blacklist.md), addresses the reputation book has not seen
 * for its memory. Events go in batches, so a first run on a large table holds no long lock.
 * Several instances may run it at once: a row deleted twice is deleted once.
 */
export async function runHousekeeping(deps: HousekeepingDeps): Promise<HousekeepingRun> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - deps.eventRetentionDays * DAY);
  let events = 0;
  for (;;) {
    const rows = await deps.db.query(
      `DELETE FROM auth_events WHERE id IN
         (SELECT id FROM auth_events WHERE at < $1 ORDER BY at LIMIT ${BATCH}) RETURNING id`,
      [before],
    );
    events += rows.length;
    if (rows.length < BATCH) break;
  }
  const bans = await pruneHistory(deps.db, new Date(now.getTime() - historyRetention(deps.escalation)));
  const addresses = deps.reputation.prune(now);
  if (events + bans > 0) deps.log.info({ events, bans, addresses }, "old auth events and bans deleted");
  return { events, bans, addresses };
}

export interface Housekeeping {
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Runs housekeeping a minute after start, then every `everyMs`; failures are logged and retried. */
export function startHousekeeping(deps: HousekeepingDeps, everyMs = 3_600_000): Housekeeping {
  let running: Promise<unknown> | null = null;
  const run = () => {
    running ??= runHousekeeping(deps)
      .catch((error: Error) => deps.log.warn({ err: error.message }, "housekeeping failed; will retry"))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(run, Math.min(60_000, everyMs));
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
