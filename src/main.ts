#!/usr/bin/env -S node --max-semi-space-size=64
// --max-semi-space-size=64 (MiB; Node's default is 16): under a password-guessing storm every
// refused attempt is held as long as a bcrypt check (~60 ms at cost 10) and the young generation fills with
// requests in flight; small semi-spaces copy them at every scavenge. Measured: 30 % less CPU per
// held refusal, at up to ~100 MiB more memory (docs/BENCHMARKS-http.md). bench/setup.ts starts
// mailauth with the flags of this line.
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
