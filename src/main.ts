#!/usr/bin/env node
import { runCli } from "./cli/run.js";

// The only place that reads process.env and the real streams.
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
process.exitCode = code;
