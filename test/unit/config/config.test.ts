import { describe, expect, it } from "vitest";
import { configFromEnv } from "../../../src/config/config.js";

describe("configFromEnv", () => {
  it("defaults to the embedded database under ./var/data and 127.0.0.1:8080", () => {
    const result = configFromEnv({}, "/srv/mailauth");
    expect(result.ok && result.config).toMatchObject({
      databaseUrl: null,
      dataDir: "/srv/mailauth/var/data",
      listen: { host: "127.0.0.1", port: 8080 },
      bcryptCost: 10,
      eventBufferMax: 50_000,
      dovecot: { clientId: "dovecot", clientSecret: null, failureStyle: "dovecot23" },
    });
  });

  it("reads IPv6 listen addresses and a PostgreSQL URL", () => {
    const result = configFromEnv({
      MAILAUTH_LISTEN: "[::1]:9000",
      MAILAUTH_DATABASE_URL: "postgres://u@db/mail",
    });
    expect(result.ok && result.config.listen).toEqual({ host: "::1", port: 9000 });
    expect(result.ok && result.config.databaseUrl).toBe("postgres://u@db/mail");
  });

  it("names every wrong setting and what is wrong with it, without echoing secrets", () => {
    const result = configFromEnv({
      MAILAUTH_LISTEN: "8080",
      MAILAUTH_BCRYPT_COST: "31",
      MAILAUTH_EVENT_BUFFER_MAX: "5",
      MAILAUTH_DATABASE_URL: "mysql://root:pw@db",
      MAILAUTH_DOVECOT_CLIENT_SECRET: "short-secret",
      MAILAUTH_DOVECOT_FAILURE_STYLE: "dovecot22",
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        "MAILAUTH_DATABASE_URL must start with postgres:// or postgresql://",
        'MAILAUTH_LISTEN must be host:port (IPv6 as [::1]:8080), got "8080"',
        'MAILAUTH_EVENT_BUFFER_MAX must be a whole number from 10 to 5000000, got "5"',
        'MAILAUTH_BCRYPT_COST must be a whole number from 4 to 15, got "31"',
        "MAILAUTH_DOVECOT_CLIENT_SECRET must be at least 16 characters",
        'MAILAUTH_DOVECOT_FAILURE_STYLE must be one of dovecot23, dovecot24, got "dovecot22"',
      ],
    });
    expect(JSON.stringify(result)).not.toContain("short-secret");
    expect(JSON.stringify(result)).not.toContain(":pw@");
  });
});
