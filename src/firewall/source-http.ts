import type { Blocklist } from "./blocklist.js";
import type { JsonEntry } from "./export.js";

/** Where `sync --from` reads: a server's base URL gets /firewall/blacklist.json appended. */
export function exportUrl(from: string): URL {
  const url = new URL(from);
  if (!url.pathname.endsWith(".json"))
    url.pathname = `${url.pathname.replace(/\/$/, "")}/firewall/blacklist.json`;
  return url;
}

/**
 * Reads another mailauth's JSON export (already merged and carved out there) as a blocklist; the
 * caller adds its own allowlist. Throws on any failure: the sync then leaves the firewall alone.
 */
export async function fetchBlocklist(
  from: string,
  token: string | null,
  fetcher: typeof fetch = fetch,
): Promise<Blocklist> {
  const url = exportUrl(from);
  let response: Response;
  try {
    response = await fetcher(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is its cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${url.href}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (!response.ok) {
    const hint = response.status === 401 ? " (is MAILAUTH_FIREWALL_TOKEN the server's?)" : "";
    throw new Error(`${url.origin}${url.pathname} answered ${response.status}${hint}`);
  }
  const body = (await response.json()) as { entries?: unknown };
  if (!Array.isArray(body.entries)) throw new Error(`${url.pathname} is not a mailauth firewall export`);
  return { bans: body.entries.map(toEntry), allow: [] };
}

function toEntry(raw: unknown): { network: string; expiresAt: Date | null } {
  const entry = raw as Partial<JsonEntry>;
  const expires = entry.expires_at === null ? null : new Date(String(entry.expires_at));
  if (typeof entry.network !== "string" || (expires !== null && Number.isNaN(expires.getTime()))) {
    throw new Error(`malformed entry in the export: ${JSON.stringify(raw).slice(0, 100)}`);
  }
  return { network: entry.network, expiresAt: expires };
}
