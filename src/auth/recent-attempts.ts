import { LRUCache } from "lru-cache";

/**
 * Which (address, login) pairs the passdb has just seen, so that Dovecot's policy `report` for
 * the same attempt is not counted a second time.
 */
export interface RecentAttempts {
  mark(ip: string, login: string, at: Date): void;
  seen(ip: string, login: string, now: Date): boolean;
}

export function createRecentAttempts(windowMs = 60_000, max = 100_000): RecentAttempts {
  const seen = new LRUCache<string, number>({ max });
  const key = (ip: string, login: string) => `${ip}\0${login}`;
  return {
    mark(ip, login, at) {
      seen.set(key(ip, login), at.getTime());
    },
    seen(ip, login, now) {
      const at = seen.get(key(ip, login));
      return at !== undefined && now.getTime() - at < windowMs;
    },
  };
}
