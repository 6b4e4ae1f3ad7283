/** A postgres:// URL as the libpq "key=value" string that Dovecot's pgsql `connect` setting takes. */
export function libpqConnectString(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const params: Array<[string, string]> = [];
  if (url.hostname) params.push(["host", decodeURIComponent(url.hostname).replace(/^\[|\]$/g, "")]);
  if (url.port) params.push(["port", url.port]);
  const dbname = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (dbname) params.push(["dbname", dbname]);
  if (url.username) params.push(["user", decodeURIComponent(url.username)]);
  if (url.password) params.push(["password", decodeURIComponent(url.password)]);
  // Query parameters (sslmode, a socket directory as host, ...) are libpq keywords already.
  for (const [key, value] of url.searchParams) params.push([key, value]);
  return params.map(([key, value]) => `${key}=${quote(value)}`).join(" ");
}

/** libpq quoting: values with spaces, quotes or backslashes go in single quotes, escaped. */
function quote(value: string): string {
  return /^[^\s'\\]+$/.test(value) ? value : `'${value.replace(/['\\]/g, "\\$&")}'`;
}
