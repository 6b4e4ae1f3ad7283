import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";

// The floor every route is compared with: a bare Hono route on the same runtime that parses the
// same form the same way and answers JSON, doing nothing else.
const app = new Hono();
app.post("/dovecot/token", async (c) => {
  const form = new URLSearchParams(await c.req.text());
  return c.json({ error: "invalid_grant", user: form.get("username") }, 400);
});
app.post("/dovecot/policy", async (c) => {
  const body = (await c.req.json()) as { remote?: string };
  return c.json({ status: 0, msg: body.remote ?? "" });
});
const port = Number(process.argv[2] ?? 8099);
createAdaptorServer({ fetch: app.fetch, serverOptions: { keepAliveTimeout: 65_000 } }).listen(
  port,
  "127.0.0.1",
  () => {
    process.stdout.write("ready\n");
  },
);
