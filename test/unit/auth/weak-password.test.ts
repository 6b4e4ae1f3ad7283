import { describe, expect, it } from "vitest";
import type { LoginRow } from "../../../src/accounts/queries.js";
import { createWeakFollowUp, type WeakFollowUpDeps } from "../../../src/auth/weak-password.js";
import { createBackground } from "../../../src/background.js";
import { createLogger } from "../../../src/log.js";

const log = createLogger({ logLevel: "silent", logFormat: "json" });

/** A follow-up whose account lookups are timed, and whose hash never matches. */
function followUp() {
  const lookups: number[] = [];
  const background = createBackground(log);
  const deps = {
    db: {},
    background,
    log,
    clock: { now: () => new Date() },
    notifyWeak: async () => {},
    logins: {
      find: async () => {
        lookups.push(performance.now());
        return { id: 1, enabled: true, password_hash: "{PLAIN}other" } as LoginRow;
      },
    },
    hasher: {
      stats: () => ({ queued: 0, running: 0, workers: 1 }),
      verify: async () => ({ status: "mismatch" }),
    },
  } as unknown as WeakFollowUpDeps;
  return { weak: createWeakFollowUp(deps), lookups, background };
}

describe("the check of a refused weak password", () => {
  it("waits until the refusal's reply is out", async () => {
    const { weak, lookups, background } = followUp();
    const replyAt = performance.now() + 60;
    weak.afterRefusal("jean@exemple.fr", "azerty123", replyAt);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lookups).toEqual([]);
    await background.drain();
    expect(lookups).toHaveLength(1);
    // Node's timers may fire early by as much as its loop's clock lags on a busy machine (see
    // createTimerCorrection); the check waits 5 ms past the reply, so a loose bound.
    expect(lookups[0]).toBeGreaterThan(replyAt - 20);
    expect(weak.stats()).toMatchObject({ checked: 1, flagged: 0 });
  });

  it("checks a login and password once, however often they are refused", async () => {
    const { weak, background } = followUp();
    for (let i = 0; i < 3; i++) weak.afterRefusal("jean@exemple.fr", "azerty123", performance.now());
    weak.afterRefusal("jean@exemple.fr", "soleil", performance.now());
    await background.drain();
    expect(weak.stats()).toMatchObject({ checked: 2, skipped: 2 });
  });
});
