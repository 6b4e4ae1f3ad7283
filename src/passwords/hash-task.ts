import type { Verdict } from "./outcome.js";

/** A job for a pool worker. Plain data: it crosses threads by structured clone. */
export type HashTask =
  | { op: "verify"; password: string; stored: string; user?: string }
  | { op: "hash"; password: string; cost: number };

/** What a worker sends back: the job's result, and how long the job ran in it. */
export interface HashTaskReply {
  value: Verdict | string;
  ms: number;
}

/** What a job resolves to, for each kind of job. */
export interface HashTaskResult {
  verify: Verdict;
  hash: string;
}
