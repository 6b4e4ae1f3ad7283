import type { Config } from "../config/config.js";
import type { Logger } from "../log.js";
import { startServer } from "../server.js";
import type { Command } from "./command.js";
import { listenControl } from "./control.js";

export const serveCommand: Command = {
  path: ["serve"],
  summary: "run the HTTP service Dovecot asks (MAILAUTH_LISTEN, default 127.0.0.1:8080)",
  usage: "serve",
  details: "Stops on SIGTERM or SIGINT after finishing the requests in flight and writing buffered events.",
  options: {},
  positionals: { min: 0, max: 0 },
  standalone: serve,
};

async function serve(config: Config, log: Logger): Promise<number> {
  // Imported here, not at the top: the registry imports this file.
  const { resolveForControl } = await import("./run.js");
  const running = await startServer(config, log, {
    control: (deps, socket) => listenControl(socket, deps, resolveForControl),
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await running.close();
  log.info("stopped");
  return 0;
}
