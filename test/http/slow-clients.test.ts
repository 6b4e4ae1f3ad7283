import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService, type TestService } from "../helpers/service.js";

/** Sends `head` and then nothing; resolves to what came back and when the server hung up. */
function stall(url: string, head: string): Promise<{ reply: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const started = performance.now();
    let reply = "";
    const socket = connect(Number(port), hostname, () => socket.write(head));
    socket.on("data", (d) => {
      reply += d;
    });
    socket.on("error", fail);
    socket.on("close", () => done({ reply, closedAfterMs: performance.now() - started }));
  });
}

// The server's limits (src/server.ts): 10 s for the headers, 15 s for the whole request.
describe("clients that stall", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service.close());

  it("are answered 408 and dropped 10 s after they stop sending their headers, 15 s mid-body", async () => {
    const [headers, body] = await Promise.all([
      stall(service.url, "POST /dovecot/token HTTP/1.1\r\nHost: mailauth\r\n"),
      stall(
        service.url,
        "POST /dovecot/token HTTP/1.1\r\nHost: mailauth\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=",
      ),
    ]);
    expect(headers.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(headers.closedAfterMs).toBeGreaterThan(9_500);
    expect(headers.closedAfterMs).toBeLessThan(13_000);
    expect(body.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.closedAfterMs).toBeGreaterThan(14_500);
    expect(body.closedAfterMs).toBeLessThan(18_000);
  }, 30_000);
});
