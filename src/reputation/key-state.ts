import { bump, type Decayed, decayed, valueAt, weight } from "./decay.js";
import type { Failure } from "./evidence.js";
import { RecentMap } from "./recent.js";
import type { ReputationSettings } from "./settings.js";

/**
 * The evidence held for one reputation key (an IPv4 address or an IPv6 /64). Failure counters
 * only grow on something new: a (login, password) pair not seen within the memory window, a login
 * not seen failing before. That is lesson 1: a phone retrying one old password adds nothing.
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
  /** Logins that succeeded; each weighs by the age of its last success. */
  successes: RecentMap<true> | undefined;
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
    successes: undefined,
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
 * Moves one login's weight in `failedLogins` to `now`: its old, faded contribution out, a full
 * one in. Kept as one running sum, so it is O(1) and still counts logins evicted from the map.
 */
function refreshFailedLogin(state: KeyState, login: LoginRecord, now: number, halfLife: number): void {
  const counter = state.failedLogins;
  const at = Math.max(now, counter.at);
  const old = Number.isNaN(login.lastNew) ? 0 : weight(at - login.lastNew, halfLife);
  counter.value = Math.max(0, valueAt(counter, at, halfLife) - old) + 1;
  counter.at = at;
  login.lastNew = Math.max(now, Number.isNaN(login.lastNew) ? now : login.lastNew);
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
  bump(state.failures[f.outcome], now, halfLife);
  bump(login.value.passwords, now, halfLife);
  refreshFailedLogin(state, login.value, now, halfLife);
  const worst = state.worstLogin;
  if (!worst || valueAt(login.value.passwords, now, halfLife) >= valueAt(worst.passwords, now, halfLife)) {
    state.worstLogin = { login: f.login, passwords: login.value.passwords };
  }
  return true;
}

/** Records a successful login, which raises the key's tolerance for a while. */
export function recordSuccess(state: KeyState, login: string, now: number, s: ReputationSettings): void {
  touchState(state, now);
  state.successes ??= new RecentMap(s.maxSuccessesPerKey, s.memoryMs);
  state.successes.touch(login, now, () => true);
}

function touchState(state: KeyState, now: number): void {
  state.lastSeen = Math.max(state.lastSeen, now);
  state.firstSeen = Math.min(state.firstSeen, now);
}
