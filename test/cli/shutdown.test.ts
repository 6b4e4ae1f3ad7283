import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbedded } from "../../src/db/database.js";
import { embeddedPaths } from "../../src/db/embedded-lock.js";
import { freePort } from "../helpers/postgres-cluster.js";
import { mailauth, serve } from "./run-cli.js";

describe("mailauth serve on SIGTERM", () => {
  const dir = mkdtempSync(join(tmpdir(), "mailauth-shutdown-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finishes the requests in flight, writes the buffered events and exits 0", async () => {
    const port = await freePort();
    const env = {
      MAILAUTH_DATA_DIR: join(dir, "data"),
      MAILAUTH_LISTEN: `127.0.0.1:${port}`,
      MAILAUTH_BCRYPT_COST: "12",
    };
    expect(
      (
        await mailauth(["user", "add", "slow@example.org", "--password-stdin"], {
          env,
          stdin: "Velvet-Harbour-Quartz-27",
        })
      ).code,
    ).toBe(0);
    const server = await serve(env, `http://127.0.0.1:${port}`);
    const secret = readFileSync(join(dir, "data", "dovecot-client-secret"), "utf8").trim();
    const login = (password: string, ip: string) =>
      fetch(`http://127.0.0.1:${port}/dovecot/token`, {
        method: "POST",
        headers: { "x-dovecot-auth-remote": `${ip}:0` },
        body: new URLSearchParams({
          grant_type: "password",
          username: "slow@example.org",
          password,
          client_id: "dovecot",
          client_secret: secret,
        }),
      });
    // A bcrypt cost-12 verification takes ~200 ms: these are in flight when the signal arrives.
    const inFlight = [
      login("Velvet-Harbour-Quartz-27", "198.51.100.91"),
      login("Wrong-But-Strong-Guess-5", "198.51.100.92"),
    ];
    await new Promise((r) => setTimeout(r, 30));
    const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    const replies = await Promise.all(inFlight);
    expect(replies.map((r) => r.status)).toEqual([200, 400]);
    expect(await exited).toBe(0);

    const db = await openEmbedded(embeddedPaths(env.MAILAUTH_DATA_DIR).database);
    try {
      const rows = await db.query<{ ip: string; outcome: string }>(
        "SELECT host(ip) AS ip, outcome FROM auth_events ORDER BY ip",
      );
      expect(rows).toEqual([
        { ip: "198.51.100.91", outcome: "ok" },
        { ip: "198.51.100.92", outcome: "wrong_password" },
      ]);
    } finally {
      await db.close();
    }
  }, 60_000);
});
