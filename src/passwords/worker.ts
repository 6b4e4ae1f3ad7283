import type { HashTask, HashTaskReply } from "./hash-task.js";
import { hashBcrypt } from "./schemes/bcrypt.js";
import { verifyStored } from "./verify-stored.js";

/**
 * Piscina's entry point: runs one job synchronously, which is fine, since this is a worker thread.
 * Timed here, so that the pool can tell the run from the wait for a free worker.
 */
export default function runHashTask(task: HashTask): HashTaskReply {
  const started = performance.now();
  const value =
    task.op === "hash"
      ? hashBcrypt(task.password, task.cost)
      : verifyStored(task.password, task.stored, task.user === undefined ? {} : { user: task.user });
  return { value, ms: performance.now() - started };
}
