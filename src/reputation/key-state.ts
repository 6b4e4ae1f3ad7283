import { bump, type Decayed, decayed, valueAt, weight } from "./decay.js";
import type { Failure } from "./evidence.js";
import { RecentMap } from "./recent.js";
import type { ReputationSettings } from "./settings.js";

/**
 * The evidence held for one reputation key (an IPv4 address or an IPv6 /64). Failure counters
 * only grow on something new, a (login, password) pair not seen within the memory window. That
 * is lesson 1: a phone retrying one old password adds nothing after its first try.
 */
export interface KeyState {
  firstSeen: number;
  lastSeen: number;
  /** Distinct (login, password tag) pairs per outcome, decayed. */
  failures: Record<Failure, Decayed>;
  /**
   * Distinct failing logins, each weighing by the age of its latest new password: a login under
   * a slow dictionary attack stays one current login, a phone's login fades like its one pair.
   */
  failedLogins: Decayed;
  /** `login \0 tag` of remembered failures, so a repeat counts once. */
  pairs: RecentMap<true>;
  /** Failing logins, each with its decayed count of distinct passwords (dictionary attacks). */
  logins: RecentMap<LoginRecord>;
  /**
   * The login with the most distinct passwords. Every count decays by the same factor, so their
   * order only changes when one grows: tracking it here spares a scan of every login per call.
   */
  worstLogin: { login: string; passwords: Decayed } | undefined;
  // Most keys never see these two: they are made on first use to keep a key small.
  /** Logins that succeeded, to count each once. */
  successLogins: RecentMap<true> | undefined;
  /** Those logins, each weighing by the age of its last success (decayed at the success half-life). */
  successes: Decayed;
  /** Password-only tags seen failing, to tell spraying (few) from stuffing (one per login). */
  sprayTags: RecentMap<true> | undefined;
}

export function newKeyState(now: number, s: ReputationSettings): KeyState {
  return {
    firstSeen: now,
    lastSeen: now,
    failures: {
      wrong_password: decayed(),
      unknown_user: decayed(),
      weak_password: decayed(),
      disabled: decayed(),
    },
    failedLogins: decayed(),
    pairs: new RecentMap(s.maxPairsPerKey, s.memoryMs),
    logins: new RecentMap(s.maxLoginsPerKey, s.memoryMs),
    worstLogin: undefined,
    successLogins: undefined,
    successes: decayed(),
    sprayTags: undefined,
  };
}

export interface LoginRecord {
  passwords: Decayed;
  /** When this login last brought a new (login, password) pair; NaN before the first. */
  lastNew: number;
}

function newLoginRecord(): LoginRecord {
  return { passwords: decayed(), lastNew: Number.NaN };
}

/**
 * Moves one item's weight in a running sum to `now`: its old, faded contribution (from when it
 * was last counted, NaN if never) out, a full one in. O(1), and items evicted from their map
 * still count until they fade.
 */
function moveToNow(sum: Decayed, lastCounted: number, now: number, halfLife: number): void {
  const at = Math.max(now, sum.at);
  const old = Number.isNaN(lastCounted) ? 0 : weight(at - lastCounted, halfLife);
  sum.value = Math.max(0, valueAt(sum, at, halfLife) - old) + 1;
  sum.at = at;
}

export interface FailureRecord {
  outcome: Failure;
  login: string;
  passwordTag: string | undefined;
  sprayTag: string | undefined;
}

/** Records a failure; true when its (login, password) pair is new, i.e. it counted. */
export function recordFailure(
  state: KeyState,
  f: FailureRecord,
  now: number,
  s: ReputationSettings,
): boolean {
  touchState(state, now);
  const halfLife = s.failureHalfLifeMs;
  const pair = state.pairs.touch(`${f.login}\0${f.passwordTag ?? ""}`, now, () => true);
  const login = state.logins.touch(f.login, now, newLoginRecord);
  if (f.sprayTag) {
    state.sprayTags ??= new RecentMap(s.maxPairsPerKey, s.memoryMs);
    state.sprayTags.touch(f.sprayTag, now, () => true);
  }
  if (!pair.isNew) return false;
  bump(login.value.passwords, now, halfLife);
  // A login that succeeded from this key is one of its users: a typo or a phone with an old
  // password. Behind a carrier's NAT, dozens of users' mistakes would otherwise add up to "many
  // logins failing" and ban the address (seen in the soak bench). Its new passwords still count
  // towards a dictionary attack on that login, above.
  const known = state.successLogins?.get(f.login, now) !== undefined;
  if (!known) {
    bump(state.failures[f.outcome], now, halfLife);
    moveToNow(state.failedLogins, login.value.lastNew, now, halfLife);
  }
  login.value.lastNew = Number.isNaN(login.value.lastNew) ? now : Math.max(now, login.value.lastNew);
  const worst = state.worstLogin;
  if (!worst || valueAt(login.value.passwords, now, halfLife) >= valueAt(worst.passwords, now, halfLife)) {
    state.worstLogin = { login: f.login, passwords: login.value.passwords };
  }
  return true;
}

/** Records a successful login, which raises the key's tolerance for a while. */
export function recordSuccess(state: KeyState, login: string, now: number, s: ReputationSettings): void {
  touchState(state, now);
  state.successLogins ??= new RecentMap(s.maxSuccessesPerKey, s.memoryMs);
  const seen = state.successLogins.touch(login, now, () => true);
  moveToNow(state.successes, seen.previousSeen, now, s.successHalfLifeMs);
}

function touchState(state: KeyState, now: number): void {
  state.lastSeen = Math.max(state.lastSeen, now);
  state.firstSeen = Math.min(state.firstSeen, now);
}
