import type { HashTask } from "./hash-task.js";
import type { Verdict } from "./outcome.js";
import { hashBcrypt } from "./schemes/bcrypt.js";
import { verifyStored } from "./verify-stored.js";

/** Piscina's entry point: runs one job synchronously, which is fine, since this is a worker thread. */
export default function runHashTask(task: HashTask): Verdict | string {
  if (task.op === "hash") return hashBcrypt(task.password, task.cost);
  return verifyStored(task.password, task.stored, task.user === undefined ? {} : { user: task.user });
}
