import pino from "pino";
import type { Config } from "./config/config.js";

export type Logger = pino.Logger;

/**
 * The service's structured logger. Anything that could carry a secret is redacted by path as a
 * second line of defence; the first is never passing passwords, hashes or tokens to it at all.
 */
export function createLogger(
  config: Pick<Config, "logLevel" | "logFormat">,
  destination?: pino.DestinationStream,
  prettyTo: NodeJS.WritableStream = process.stdout,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: undefined,
    redact: {
      paths: [
        "password",
        "*.password",
        "hash",
        "*.hash",
        "secret",
        "*.secret",
        "token",
        "*.token",
        "authorization",
      ],
      censor: "[redacted]",
    },
  };
  if (!destination && config.logFormat === "pretty") {
    return pino(options, prettyStream(prettyTo));
  }
  return destination ? pino(options, destination) : pino(options);
}

/** A dependency-free human format for `make run`: time, level, message, then the fields. */
function prettyStream(out: NodeJS.WritableStream): pino.DestinationStream {
  const levels: Record<number, string> = {
    10: "TRACE",
    20: "DEBUG",
    30: "INFO",
    40: "WARN",
    50: "ERROR",
    60: "FATAL",
  };
  return {
    write(line: string) {
      try {
        const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const when = new Date(Number(time)).toISOString().slice(11, 23);
        const fields = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
        out.write(
          `${when} ${(levels[Number(level)] ?? level)?.toString().padEnd(5)} ${msg ?? ""} ${fields}\n`,
        );
      } catch {
        out.write(line);
      }
    },
  };
}
