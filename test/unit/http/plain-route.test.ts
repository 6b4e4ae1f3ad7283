import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withPlainRoutes } from "../../../src/http/plain-route.js";
import { createLogger } from "../../../src/log.js";

const lines: string[] = [];
const log = createLogger(
  { logLevel: "debug", logFormat: "json" },
  new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  }),
);
const timed: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const listener = withPlainRoutes(
    [
      {
        path: "/echo",
        maxBody: 16,
        handle: (r) => ({
          status: 200,
          json: { body: r.body, q: r.query("q"), h: r.header("x-thing") ?? null },
        }),
      },
      {
        path: "/held",
        maxBody: 16,
        handle: (r) => ({ status: 400, json: { held: true }, notBefore: performance.now() + Number(r.body) }),
      },
      {
        path: "/boom",
        maxBody: 16,
        handle: () => {
          throw new Error("boom");
        },
      },
    ],
    { log, metrics: { request: (route) => timed.push(route) } },
    (_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" }).end("fallback");
    },
  );
  server = createServer(listener);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("withPlainRoutes", () => {
  it("gives a POST route its body, query and headers, answers JSON and times it", async () => {
    const response = await fetch(`${base}/echo?q=1`, {
      method: "POST",
      body: "abc",
      headers: { "X-Thing": "t" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ body: "abc", q: "1", h: "t" });
    expect(timed).toContain("/echo");
  });

  it("hands other methods and paths to the fallback", async () => {
    for (const [method, path] of [
      ["GET", "/echo"],
      ["POST", "/echo/"],
      ["POST", "/other"],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method, body: method === "POST" ? "x" : undefined });
      expect([response.status, await response.text()]).toEqual([404, "fallback"]);
    }
  });

  it("refuses a body past the limit with 413, declared or chunked, and closes the connection", async () => {
    const declared = await fetch(`${base}/echo`, { method: "POST", body: "x".repeat(17) });
    expect(declared.status).toBe(413);
    expect(declared.headers.get("connection")).toBe("close");
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode("yyyyyyyy"));
        controller.close();
      },
    });
    const chunked = await fetch(`${base}/echo`, {
      method: "POST",
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toEqual({
      error: "invalid_request",
      error_description: "body larger than 16 bytes",
    });
  });

  it("holds a reply with notBefore until then, others at once", async () => {
    const time = async (path: string, body: string) => {
      const started = performance.now();
      const response = await fetch(`${base}${path}`, { method: "POST", body });
      expect(await response.json()).toBeTruthy();
      return performance.now() - started;
    };
    // A loose lower bound: Node's timers count from a loop clock that lags on a busy machine, so
    // they may fire early by that much (createTimerCorrection learns it; here it starts at 0).
    expect(await time("/held", "150")).toBeGreaterThan(100);
    expect(await time("/held", "-5")).toBeLessThan(150);
    expect(timed.filter((route) => route === "/held")).toHaveLength(2);
  });

  it("answers an exception with 500 and logs it with the route", async () => {
    const response = await fetch(`${base}/boom`, { method: "POST", body: "x" });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "server_error" });
    const line = lines.find((l) => l.includes("unhandled error"));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? "{}")).toMatchObject({ route: "/boom", err: "boom", level: 50 });
  });
});
