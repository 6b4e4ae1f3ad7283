import { rememberSecret } from "../../helpers/log-audit.js";
import { LineSocket } from "./line-socket.js";

export interface Pop3LoginOptions {
  user: string;
  password: string;
  /** Client IP Dovecot should see: XCLIENT, which pop3-login accepts from login_trusted_networks. */
  ip?: string;
}

/** USER/PASS over POP3; returns the reply to PASS, e.g. "+OK Logged in." or "-ERR [AUTH] ...". */
export async function pop3Login(port: number, options: Pop3LoginOptions): Promise<string> {
  rememberSecret(options.password);
  const socket = await LineSocket.open(port);
  try {
    await socket.readLine();
    if (options.ip) {
      socket.send(`XCLIENT ADDR=${options.ip}`);
      const reply = await socket.readLine();
      if (!reply.startsWith("+OK")) throw new Error(`XCLIENT refused: ${reply}`);
    }
    socket.send(`USER ${options.user}`);
    await socket.readLine();
    socket.send(`PASS ${options.password}`);
    const reply = await socket.readLine();
    socket.send("QUIT");
    await socket.readLine().catch(() => "");
    return reply;
  } finally {
    socket.close();
  }
}
