import { connect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

/** A CRLF line protocol connection (IMAP, POP3, SMTP) read one line at a time. */
export class LineSocket {
  private buffer = "";
  private lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;
  private failure: Error | null = null;

  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  /** Connects to 127.0.0.1:port. */
  static async open(port: number): Promise<LineSocket> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new LineSocket(socket);
  }

  /** Switches to TLS (STARTTLS); the test server's certificate is self-signed, so it is not verified. */
  async startTls(): Promise<void> {
    this.socket.removeAllListeners("data");
    const secure = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    });
    this.socket = secure;
    this.listen(secure);
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** The next line without its CRLF; rejects if the connection ends or nothing comes within `timeoutMs`. */
  readLine(timeoutMs = 10_000): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`no line within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (next) => {
        clearTimeout(timer);
        this.waiting = null;
        if (this.failure && next === "") reject(this.failure);
        else resolve(next);
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private listen(socket: Socket | TLSSocket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let end = this.buffer.indexOf("\r\n");
      while (end >= 0) {
        this.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
        end = this.buffer.indexOf("\r\n");
      }
    });
    const fail = (error?: Error) => {
      this.failure ??= error ?? new Error("connection closed");
      this.waiting?.("");
    };
    socket.on("error", fail);
    socket.on("close", () => fail());
  }

  private push(line: string) {
    if (this.waiting) this.waiting(line);
    else this.lines.push(line);
  }
}
