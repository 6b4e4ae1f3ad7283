/** An environment as tests pass it: names to values. */
export type Env = Record<string, string | undefined>;

/**
 * Small typed readers that collect errors instead of throwing, so one run reports them all; every
 * error names its setting. Used by the main config and by each module's own settings.
 */
export class EnvReader {
  constructor(
    private readonly env: Env,
    readonly errors: string[] = [],
  ) {}

  /** The trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  string(name: string, fallback: string | null, check?: (v: string) => string | null): string | null {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const problem = check?.(value);
    if (problem) {
      this.errors.push(`${name} ${problem}`);
      return fallback;
    }
    return value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    return this.number(name, fallback, min, max, true);
  }

  /** A number in [min, max]; `whole` refuses fractions (negative numbers are refused either way). */
  number(name: string, fallback: number, min: number, max: number, whole = false): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const shape = whole ? /^\d+$/ : /^\d+(\.\d+)?$/;
    if (!shape.test(value) || Number(value) < min || Number(value) > max) {
      this.errors.push(
        `${name} must be ${whole ? "a whole number" : "a number"} from ${min} to ${max}, got "${value}"`,
      );
      return fallback;
    }
    return Number(value);
  }

  /** Takes the settings another module parsed, keeping its errors with ours. */
  merge<T>(result: ({ ok: true } & T) | { ok: false; errors: string[] }, fallback: T): T;
  merge<T>(result: { ok: true; settings: T } | { ok: false; errors: string[] }, fallback: T): T;
  merge<T>(result: { ok: boolean; errors?: string[]; settings?: T }, fallback: T): T {
    if (!result.ok) {
      this.errors.push(...(result.errors ?? []));
      return fallback;
    }
    if ("settings" in result) return result.settings as T;
    const { ok: _ok, ...rest } = result;
    return rest as T;
  }

  list(name: string, check: (v: string) => string | null): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items = value
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
    for (const item of items) {
      const problem = check(item);
      if (problem) this.errors.push(`${name} ${problem}, got "${item}"`);
    }
    return items;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(value)) return true;
    if (["0", "false", "no", "off"].includes(value)) return false;
    this.errors.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      this.errors.push(`${name} must be one of ${allowed.join(", ")}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  listen(name: string, fallback: string): { host: string; port: number } {
    const value = this.raw(name) ?? fallback;
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
    const port = Number(match?.[3]);
    if (!match || port > 65535) {
      this.errors.push(`${name} must be host:port (IPv6 as [::1]:8080), got "${value}"`);
      return { host: "127.0.0.1", port: 8080 };
    }
    return { host: match[1] ?? match[2] ?? "127.0.0.1", port };
  }
}
