import type { Logger } from "./log.js";

/** Work started after a reply is sent (hash upgrades, weak-password checks), awaited at shutdown. */
export interface Background {
  run(what: string, task: () => Promise<unknown>): void;
  /** Resolves when everything started so far has settled. */
  drain(): Promise<void>;
  pending(): number;
}

export function createBackground(log: Logger): Background {
  const running = new Set<Promise<unknown>>();
  return {
    run(what, task) {
      const promise = Promise.resolve()
        .then(task)
        .catch((error: Error) => log.error({ err: error.message, task: what }, "background task failed"))
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    pending: () => running.size,
  };
}
