import { LRUCache } from "lru-cache";

/**
 * Which (address, login) pairs the passdb has just seen, so that Dovecot's policy `report` for
 * the same attempt is not counted a second time; and which banned addresses were refused lately.
 */
export interface RecentAttempts {
  mark(ip: string, login: string, at: Date): void;
  seen(ip: string, login: string, now: Date): boolean;
  /** True for the first refusal of a banned address in the window. */
  firstRefusal(ip: string, now: Date): boolean;
}

export function createRecentAttempts(windowMs = 60_000, max = 100_000): RecentAttempts {
  const seen = new LRUCache<string, number>({ max });
  const refused = new LRUCache<string, number>({ max });
  const key = (ip: string, login: string) => `${ip}\0${login}`;
  return {
    firstRefusal(ip, now) {
      const last = refused.get(ip);
      if (last !== undefined && now.getTime() - last < windowMs) return false;
      refused.set(ip, now.getTime());
      return true;
    },
    mark(ip, login, at) {
      seen.set(key(ip, login), at.getTime());
    },
    seen(ip, login, now) {
      const at = seen.get(key(ip, login));
      return at !== undefined && now.getTime() - at < windowMs;
    },
  };
}
