import { rememberSecret } from "../../helpers/log-audit.js";
import { LineSocket } from "./line-socket.js";

/** IMAP quoted string (RFC 3501): backslash and double quote are escaped. */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

/** A minimal IMAP client: each command returns its tagged response line, e.g. "a2 OK Logged in". */
export class ImapClient {
  private counter = 0;

  private constructor(
    private readonly socket: LineSocket,
    readonly greeting: string,
  ) {}

  static async connect(port: number): Promise<ImapClient> {
    const socket = await LineSocket.open(port);
    return new ImapClient(socket, await socket.readLine());
  }

  /** ID with x-originating-ip: from a login_trusted_networks client, Dovecot takes it as the client IP. */
  id(originatingIp: string): Promise<string> {
    return this.command(`ID ("x-originating-ip" ${quote(originatingIp)})`);
  }

  login(user: string, password: string): Promise<string> {
    rememberSecret(password);
    return this.command(`LOGIN ${quote(user)} ${quote(password)}`);
  }

  /** AUTHENTICATE PLAIN with the credentials sent after the server's "+" continuation. */
  async authenticatePlain(user: string, password: string): Promise<string> {
    rememberSecret(password);
    const tag = this.nextTag();
    this.socket.send(`${tag} AUTHENTICATE PLAIN`);
    const continuation = await this.socket.readLine();
    if (!continuation.startsWith("+")) return continuation;
    this.socket.send(Buffer.from(`\0${user}\0${password}`).toString("base64"));
    return this.tagged(tag);
  }

  async logout(): Promise<void> {
    try {
      await this.command("LOGOUT");
    } catch {
      // The server may already have closed the connection.
    }
    this.socket.close();
  }

  private command(line: string): Promise<string> {
    const tag = this.nextTag();
    this.socket.send(`${tag} ${line}`);
    return this.tagged(tag);
  }

  private nextTag(): string {
    this.counter += 1;
    return `a${this.counter}`;
  }

  /** Skips untagged responses until the line for `tag`. */
  private async tagged(tag: string): Promise<string> {
    for (;;) {
      const line = await this.socket.readLine();
      if (line.startsWith(`${tag} `)) return line;
    }
  }
}

export interface ImapLoginOptions {
  user: string;
  password: string;
  /** Client IP Dovecot should see (IMAP ID x-originating-ip); keeps failure penalties per test. */
  ip?: string;
  mechanism?: "LOGIN" | "PLAIN";
}

/** Connects, optionally sets the client IP, logs in, logs out; returns the login's tagged line. */
export async function imapLogin(port: number, options: ImapLoginOptions): Promise<string> {
  const client = await ImapClient.connect(port);
  try {
    if (options.ip) await client.id(options.ip);
    return options.mechanism === "PLAIN"
      ? await client.authenticatePlain(options.user, options.password)
      : await client.login(options.user, options.password);
  } finally {
    await client.logout();
  }
}
