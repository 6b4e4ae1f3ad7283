import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestListener } from "./app.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config/config.js";
import type { Db } from "./db/database.js";
import { embeddedPaths } from "./db/embedded-lock.js";
import type { Deps } from "./deps.js";
import type { Logger } from "./log.js";
import { buildDeps, closeDeps, keptSecret, openDatabase } from "./service.js";

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: "the address is in use (another mailauth, or another service, listens there)",
  EADDRNOTAVAIL: "no interface of this machine has that address",
  EACCES: "not allowed (ports below 1024 need privileges)",
};

/** How long requests in flight may take to finish at shutdown. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  url: string;
  deps: Deps;
  /** Stops accepting, finishes requests in flight, flushes events, closes the database. */
  close(): Promise<void>;
}

export interface ServerOptions {
  clock?: Clock;
  /** Tests wrap the database to make it fail on demand. */
  wrapDb?: (db: Db) => Db;
  /** Serves CLI commands on the embedded database's control socket (see src/cli/control.ts). */
  control?: (deps: Deps, socketPath: string) => Promise<Server>;
}

/** Opens the database, migrates it, wires the dependencies and listens. */
export async function startServer(
  config: Config,
  log: Logger,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const opened = await openDatabase(config);
  const { migrations, applied, release } = opened;
  const db = options.wrapDb ? options.wrapDb(opened.db) : opened.db;
  for (const m of applied) log.info({ version: m.version, name: m.name }, "migration applied");
  const secret = keptSecret(config, "dovecot-client-secret", config.dovecot.clientSecret);
  if (secret.generated) log.warn({ file: secret.file }, "generated a Dovecot client secret");
  const policy = keptSecret(config, "policy-token", config.policyToken);
  if (policy.generated) log.warn({ file: policy.file }, "generated an auth-policy token");
  const deps = await buildDeps(config, log, db, migrations, {
    clock: options.clock,
    clientSecret: secret.secret,
    policyToken: policy.secret,
  });
  const server = createServer(
    {
      // Dovecot keeps its connections open for up to 60 s; Node's default of 5 s would make it
      // reconnect constantly.
      keepAliveTimeout: 65_000,
      // A client that trickles its headers or body (slowloris) is answered 408 and dropped.
      headersTimeout: 10_000,
      requestTimeout: 15_000,
      // Node enforces both only when it checks, every 30 s by default: a stalled client then held
      // its connection for up to 40 s instead of 10 (measured: 28.6 s). Checking every second
      // keeps the limits what they say, for the cost of a walk over the open connections.
      connectionsCheckingInterval: 1000,
      maxHeaderSize: 16 * 1024,
    },
    createRequestListener(deps),
  );
  const control =
    db.kind === "embedded" && options.control
      ? await options.control(deps, embeddedPaths(config.dataDir).socket)
      : null;
  try {
    await new Promise<void>((ok, fail) =>
      server.once("error", fail).listen(config.listen.port, config.listen.host, ok),
    );
  } catch (error) {
    control?.close();
    await closeDeps(deps);
    await release();
    const { host, port } = config.listen;
    const address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const code = (error as NodeJS.ErrnoException).code;
    const why = LISTEN_ERRORS[code ?? ""] ?? (error as Error).message;
    throw new Error(`cannot listen on MAILAUTH_LISTEN=${address}: ${why}`);
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info(
    { url, database: db.kind === "embedded" ? `embedded (${config.dataDir})` : "postgresql" },
    "mailauth listening",
  );
  if (secret.file) log.info(dovecotHint(url, config, secret.file), "dovecot oauth2 settings");
  if (policy.file) {
    log.info(
      {
        auth_policy_server_url: `${url}/dovecot/policy`,
        auth_policy_server_api_header: `Authorization: Bearer <the contents of ${policy.file}>`,
      },
      "dovecot auth-policy settings",
    );
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    deps,
    close() {
      closing ??= (async () => {
        control?.close();
        await new Promise<void>((ok) => {
          // Stop accepting; keep-alive connections (Dovecot holds them open) are closed as soon as
          // their request in flight is answered, and all of them after a grace period.
          const idle = setInterval(() => server.closeIdleConnections(), 50);
          const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
          server.close(() => {
            clearInterval(idle);
            clearTimeout(deadline);
            ok();
          });
          server.closeIdleConnections();
        });
        await closeDeps(deps);
        await release();
      })();
      return closing;
    },
  };
}

/** What to paste into dovecot-oauth2.conf.ext; points at the secret's file, never prints it. */
function dovecotHint(url: string, config: Config, file: string) {
  return {
    grant_url: `${url}/dovecot/token`,
    client_id: config.dovecot.clientId,
    client_secret: `<the contents of ${file}>`,
    example: "examples/dovecot/2.3/dovecot-oauth2.conf.ext",
  };
}
