import { rememberSecret } from "../../helpers/log-audit.js";
import { LineSocket } from "./line-socket.js";

export interface SmtpAuthOptions {
  user: string;
  password: string;
  mechanism: "PLAIN" | "LOGIN";
  /** Client IP Postfix should see: XCLIENT, which the test Postfix accepts from loopback. */
  ip?: string;
}

/** A whole SMTP reply: its lines, and the last one ("235 2.7.0 Authentication successful"). */
async function readReply(socket: LineSocket): Promise<{ lines: string[]; last: string }> {
  const lines: string[] = [];
  for (;;) {
    const line = await socket.readLine();
    lines.push(line);
    // "250-..." continues a multi-line reply, "250 ..." ends it.
    if (line.charAt(3) !== "-") return { lines, last: line };
  }
}

async function expect(socket: LineSocket, code: string, what: string): Promise<string[]> {
  const reply = await readReply(socket);
  if (!reply.last.startsWith(code)) throw new Error(`${what}: expected ${code}, got ${reply.last}`);
  return reply.lines;
}

const base64 = (text: string) => Buffer.from(text).toString("base64");

/**
 * EHLO, STARTTLS, EHLO, AUTH with one mechanism, QUIT, as a mail client on the submission port
 * does (with an XCLIENT after STARTTLS when `ip` is set); returns the server's final answer to AUTH (235 on success, 535 on a wrong password).
 */
export async function smtpAuth(port: number, options: SmtpAuthOptions): Promise<string> {
  rememberSecret(options.password);
  const socket = await LineSocket.open(port);
  try {
    await expect(socket, "220", "greeting");
    socket.send("EHLO client.example");
    const before = await expect(socket, "250", "EHLO");
    if (before.some((line) => line.includes("STARTTLS"))) {
      socket.send("STARTTLS");
      await expect(socket, "220", "STARTTLS");
      await socket.startTls();
      socket.send("EHLO client.example");
      await expect(socket, "250", "EHLO after STARTTLS");
    }
    if (options.ip) {
      // XCLIENT restarts the session as if the client came from ip: a new greeting, then EHLO.
      socket.send(`XCLIENT ADDR=${options.ip}`);
      await expect(socket, "220", "XCLIENT");
      socket.send("EHLO client.example");
      await expect(socket, "250", "EHLO after XCLIENT");
    }
    let reply: string;
    if (options.mechanism === "PLAIN") {
      socket.send(`AUTH PLAIN ${base64(`\0${options.user}\0${options.password}`)}`);
      reply = (await readReply(socket)).last;
    } else {
      socket.send("AUTH LOGIN");
      await expect(socket, "334", "AUTH LOGIN");
      socket.send(base64(options.user));
      await expect(socket, "334", "AUTH LOGIN user name");
      socket.send(base64(options.password));
      reply = (await readReply(socket)).last;
    }
    socket.send("QUIT");
    await readReply(socket).catch(() => null);
    return reply;
  } finally {
    socket.close();
  }
}
