import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepOutput, rememberSecret } from "../helpers/log-audit.js";
import { freePort } from "../helpers/postgres-cluster.js";
import { CLI, mailauth, serve } from "./run-cli.js";

const PASSWORD = "Kim-typed-this-0n-a-tty";

/**
 * Runs `mailauth ARGS` on a real pseudo-terminal (util-linux `script`), typing each answer once
 * the output so far ends with its prompt; `after` is a shell command run on the same terminal.
 */
function onTerminal(
  args: string[],
  env: Record<string, string>,
  answers: { after: string; type: string }[],
  after = "",
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
  const child = spawn("script", ["-qfec", `${command}; echo "exit=$?"; ${after}`, "/dev/null"], {
    env: { PATH: process.env.PATH ?? "", TERM: "dumb", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const pending = [...answers];
  child.stdout.on("data", (d) => {
    output += d;
    const next = pending[0];
    if (next && output.trimEnd().endsWith(next.after.trimEnd())) {
      pending.shift();
      // Typed a moment later, as a person would, so raw mode is surely on.
      setTimeout(() => child.stdin.write(next.type), 100);
    }
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (code) => {
      keepOutput(output);
      done({ code, output });
    });
  });
}

describe("the password prompt on a terminal", () => {
  let dir: string;
  let env: Record<string, string>;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mailauth-prompt-"));
    const port = await freePort();
    env = {
      MAILAUTH_DATA_DIR: join(dir, "data"),
      MAILAUTH_LISTEN: `127.0.0.1:${port}`,
      MAILAUTH_BCRYPT_COST: "4",
    };
    rememberSecret(PASSWORD);
    server = await serve(env, `http://127.0.0.1:${port}`);
  });
  afterAll(async () => {
    server?.kill("SIGTERM");
    await new Promise((r) => server?.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("never shows what is typed, edits with Backspace, and the account logs in with it", async () => {
    const result = await onTerminal(["user", "add", "kim@example.org"], env, [
      { after: "New password:", type: `${PASSWORD}\r` },
      // A typo erased with Backspace is not part of the password.
      { after: "Again:", type: `${PASSWORD}x\u007f\r` },
    ]);
    expect(result.output).toContain("New password:");
    expect(result.output).toContain("added kim@example.org");
    expect(result.output).toContain("exit=0");
    expect(result.output).not.toContain(PASSWORD);
    expect(result.output).not.toContain("Kim-typed");

    const secret = readFileSync(join(dir, "data", "dovecot-client-secret"), "utf8").trim();
    const login = (password: string) =>
      fetch(`http://${env.MAILAUTH_LISTEN}/dovecot/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "password",
          username: "kim@example.org",
          password,
          client_id: "dovecot",
          client_secret: secret,
        }),
      });
    expect((await login(PASSWORD)).status).toBe(200);
    expect((await login(`${PASSWORD}x`)).status).toBe(400);
  });

  it("gives up on Ctrl-C with a non-zero exit, the terminal echoing again and no account made", async () => {
    const result = await onTerminal(
      ["user", "add", "lea@example.org"],
      env,
      [{ after: "New password:", type: "half-typed\u0003" }],
      "stty -a",
    );
    expect(result.output).toContain("mailauth: interrupted");
    expect(result.output).toContain("exit=1");
    expect(result.output).not.toContain("half-typed");
    // stty lists "-echo" and "-icanon" while the terminal is still raw.
    expect(result.output).toMatch(/(^|\s)echo(\s|$)/m);
    expect(result.output).toMatch(/(^|\s)icanon(\s|$)/m);
    expect((await mailauth(["user", "show", "lea@example.org"], { env })).stderr).toContain("no account");
  });

  it("gives up on Ctrl-D with nothing typed, and refuses two different answers", async () => {
    const eof = await onTerminal(["user", "add", "max@example.org"], env, [
      { after: "New password:", type: "\u0004" },
    ]);
    expect(eof.output).toContain("mailauth: no password given");
    expect(eof.output).toContain("exit=1");
    const differ = await onTerminal(["user", "add", "max@example.org"], env, [
      { after: "New password:", type: `${PASSWORD}\r` },
      { after: "Again:", type: `${PASSWORD}!\r` },
    ]);
    expect(differ.output).toContain("mailauth: the two passwords differ");
    expect(differ.output).toContain("exit=1");
    expect(differ.output).not.toContain(PASSWORD);
  });
});
