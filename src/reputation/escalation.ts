/**
 * How long a ban lasts: each new ban of the same address or range climbs a ladder (1 h, 1 d,
 * 7 d, 30 d, then permanent by default), with a little random extra time so a botnet cannot
 * time its return. Pure: the offence count comes from persisted history, randomness is passed in.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A ladder step that never ends. */
export const PERMANENT = Number.POSITIVE_INFINITY;

export interface EscalationSettings {
  /** Ban lengths in ms, one per offence; `PERMANENT` for a ban without end. Past the last step, it repeats. */
  ladder: number[];
  /** Extra time added at random, as a fraction of the step (0.1: up to 10 % longer). Never shorter. */
  jitter: number;
  /** When a permanent ban is due for a human look, counted from when it was made. */
  permanentReviewMs: number;
}

export const DEFAULT_ESCALATION: EscalationSettings = {
  ladder: [HOUR, DAY, 7 * DAY, 30 * DAY, PERMANENT],
  jitter: 0.1,
  permanentReviewMs: 90 * DAY,
};

export type BanLength = { permanent: true } | { permanent: false; ms: number };

/**
 * The length of the next ban of an address or range that has been banned `priorOffences` times
 * before (within the kept history). `random` returns [0, 1), like Math.random.
 */
export function banDuration(
  priorOffences: number,
  settings: Pick<EscalationSettings, "ladder" | "jitter">,
  random: () => number,
): BanLength {
  const { ladder } = settings;
  if (ladder.length === 0) return { permanent: false, ms: 0 };
  const step = Math.min(Math.max(0, Math.floor(priorOffences)), ladder.length - 1);
  const base = ladder[step] ?? 0;
  if (base === PERMANENT) return { permanent: true };
  const extra = Math.max(0, settings.jitter) * Math.min(Math.max(random(), 0), 1);
  return { permanent: false, ms: Math.round(base * (1 + extra)) };
}

/** A ban's end (null: permanent) and, for a permanent one, when a human should review it. */
export interface BanPlan {
  until: Date | null;
  reviewAt: Date | null;
}

/** The next ban of an address with `priorOffences` earlier bans, made at `now`. */
export function planBan(
  priorOffences: number,
  now: Date,
  settings: EscalationSettings,
  random: () => number,
): BanPlan {
  const length = banDuration(priorOffences, settings, random);
  return length.permanent
    ? { until: null, reviewAt: reviewDate(now, settings) }
    : { until: new Date(now.getTime() + length.ms), reviewAt: null };
}

/** When a permanent entry made at `now` should be looked at again (reason, hits, still needed?). */
export function reviewDate(now: Date, settings: Pick<EscalationSettings, "permanentReviewMs">): Date {
  return new Date(now.getTime() + settings.permanentReviewMs);
}

/**
 * How long offence history must be kept: twice the sum of the ladder's finite steps (with
 * jitter), so an address banned at every step still has its earlier offences on record when it
 * comes back. fail2ban users lose escalation when history is purged before the window ends.
 * At least 90 days, so a short test ladder does not make history vanish overnight.
 */
export function historyRetention(settings: Pick<EscalationSettings, "ladder" | "jitter">): number {
  const finite = settings.ladder.filter((ms) => Number.isFinite(ms));
  const horizon = finite.reduce((sum, ms) => sum + ms * (1 + Math.max(0, settings.jitter)), 0);
  return Math.max(2 * horizon, 90 * DAY);
}

export type DurationParse = { ok: true; ms: number } | { ok: false; error: string };

const UNITS: Record<string, number> = { s: 1000, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

// Longer is permanent in all but name, and an expiry past year 9999 is written in an ISO form
// ("+021192-03-29T...") that PostgreSQL misreads, which failed the ban.
const MAX_DURATION = 36_525 * DAY;

/**
 * Reads "90s", "30m", "1h", "7d", "2w", combinations such as "1d12h", or "permanent" (Infinity).
 * A bare number is refused: minutes or seconds would be a guess; over 100 years is refused too.
 */
export function parseDuration(text: string): DurationParse {
  const value = text.trim().toLowerCase();
  if (value === "permanent") return { ok: true, ms: PERMANENT };
  if (!/^(\d{1,6}[smhdw])+$/.test(value)) {
    return {
      ok: false,
      error: `"${text}" is not a duration: use a number with a unit (s, m, h, d, w), e.g. 30m, 1h, 7d, 1d12h, or "permanent"`,
    };
  }
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)([smhdw])/g)) {
    ms += Number(amount) * (UNITS[unit ?? ""] ?? 0);
  }
  if (ms === 0) return { ok: false, error: `"${text}" is zero: a ban must last some time` };
  if (ms > MAX_DURATION) return { ok: false, error: `"${text}" is longer than 100 years: use "permanent"` };
  return { ok: true, ms };
}

export type LadderParse = { ok: true; ladder: number[] } | { ok: false; error: string };

/**
 * Reads a comma-separated ladder such as "1h,1d,7d,30d,permanent". Steps must not get shorter
 * (a re-offender is never let off sooner), and "permanent" can only be the last.
 */
export function parseLadder(text: string): LadderParse {
  const parts = text.split(",").map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === "")) {
    return {
      ok: false,
      error: `"${text}" is not a ladder: give durations separated by commas, e.g. 1h,1d,7d,30d,permanent`,
    };
  }
  if (parts.length > 20) return { ok: false, error: `a ladder has at most 20 steps, got ${parts.length}` };
  const ladder: number[] = [];
  for (const [i, part] of parts.entries()) {
    const step = parseDuration(part);
    if (!step.ok) return { ok: false, error: `step ${i + 1} of the ladder: ${step.error}` };
    const previous = ladder[ladder.length - 1];
    if (previous === PERMANENT)
      return { ok: false, error: `"permanent" must be the last step of the ladder` };
    if (previous !== undefined && step.ms < previous) {
      return { ok: false, error: `step ${i + 1} of the ladder (${part}) is shorter than the step before it` };
    }
    ladder.push(step.ms);
  }
  return { ok: true, ladder };
}

/** The ladder as text, the form `parseLadder` reads back. */
export function formatLadder(ladder: readonly number[]): string {
  return ladder.map(formatDuration).join(",");
}

// parseDuration reads at most six digits per amount.
const MAX_AMOUNT = 999_999;

/**
 * A duration in the largest whole unit up to days ("36h", "7d"), or in parts ("1w5d1s") when no
 * single unit holds it in six digits; Infinity is "permanent". parseDuration reads it back.
 */
export function formatDuration(ms: number): string {
  if (ms === PERMANENT) return "permanent";
  for (const unit of ["d", "h", "m", "s"]) {
    const size = UNITS[unit] ?? 1;
    if (ms >= size && ms % size === 0 && ms / size <= MAX_AMOUNT) return `${ms / size}${unit}`;
  }
  const seconds = Math.round(ms / 1000);
  if (!(seconds > MAX_AMOUNT)) return `${seconds}s`;
  let rest = seconds;
  let text = "";
  for (const unit of ["w", "d", "h", "m", "s"]) {
    const size = (UNITS[unit] ?? 1000) / 1000;
    let amount = Math.floor(rest / size);
    rest -= amount * size;
    // Past 999999 weeks (19,000 years) the unit repeats, which parseDuration adds up.
    for (; amount > 0; amount -= MAX_AMOUNT) text += `${Math.min(amount, MAX_AMOUNT)}${unit}`;
  }
  return text;
}
