import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface WrkRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  socketErrors: number;
  /** Status and body of one reply, to tell an expected 400 from a broken run. */
  firstReply: string;
  /** CPU the server's process used per request (all its threads), when its pid was given. */
  cpuUsPerRequest: number | null;
}

/** CPU seconds a process has used so far (user + system, every thread), from /proc. */
export function cpuSecondsOf(pid: number): number {
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis don't.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return ticks / CLOCK_TICKS;
}
// sysconf(_SC_CLK_TCK): 100 on every Linux Node runs on.
const CLOCK_TICKS = 100;

const lua = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/**
 * Runs wrk (one thread, `connections` keep-alive connections) cycling through `requests`; with
 * `pid`, also measures the CPU that process spent per request.
 */
export function runWrk(
  baseUrl: string,
  requests: WrkRequest[],
  options: { seconds: number; connections: number; pid?: number },
): Promise<WrkResult> {
  const sample = requests[0];
  const dir = mkdtempSync(join(tmpdir(), "mailauth-wrk-"));
  const script = join(dir, "script.lua");
  const entries = requests
    // wrk.format adds no Host header when given headers, and Node refuses HTTP/1.1 without one.
    .map(
      (r) =>
        `wrk.format("POST", ${lua(r.path)}, {${Object.entries({ Host: new URL(baseUrl).host, ...r.headers })
          .map(([k, v]) => `[${lua(k)}]=${lua(v)}`)
          .join(",")}}, ${lua(r.body)})`,
    )
    .join(",\n");
  writeFileSync(
    script,
    `local reqs = {\n${entries}\n}
local i = 0
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
init = function(args) i = math.random(#reqs) end
done = function(summary, latency, requests)

  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
`,
  );
  const cpuBefore = options.pid ? cpuSecondsOf(options.pid) : 0;
  return new Promise((resolve, reject) => {
    execFile(
      "wrk",
      ["-t1", `-c${options.connections}`, `-d${options.seconds}s`, "--timeout", "10s", "-s", script, baseUrl],
      { maxBuffer: 1 << 20 },
      async (error, stdout) => {
        if (error) return reject(error);
        const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
        if (!line) return reject(new Error(`wrk printed no result: ${stdout}`));
        const [requests = 0, durationUs = 1, p50 = 0, p99 = 0, non2xx = 0, socketErrors = 0] = line
          .slice(7)
          .split(" ")
          .map(Number);
        const seconds = durationUs / 1e6;
        const cpu = options.pid ? cpuSecondsOf(options.pid) - cpuBefore : null;
        resolve({
          requests,
          seconds,
          perSecond: requests / seconds,
          p50ms: p50 / 1000,
          p99ms: p99 / 1000,
          non2xx,
          socketErrors,
          firstReply: await probe(baseUrl, sample),
          cpuUsPerRequest: cpu === null || requests === 0 ? null : (cpu / requests) * 1e6,
        });
      },
    );
  });
}

async function probe(baseUrl: string, request: WrkRequest | undefined): Promise<string> {
  if (!request) return "";
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: "POST",
    headers: request.headers,
    body: request.body,
  });
  return `${response.status} ${(await response.text()).slice(0, 40)}`;
}
