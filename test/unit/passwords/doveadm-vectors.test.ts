import { afterAll, describe, expect, it } from "vitest";
import { createPasswordHasher } from "../../../src/passwords/index.js";
import { loadDoveadmVectors, loadExtraVectors, wrongPasswordFor } from "./vectors.js";

const file = loadDoveadmVectors();
const extra = loadExtraVectors();
const hasher = createPasswordHasher({ bcryptCost: 10, workers: 2, queueMax: 64 });
afterAll(() => hasher.close());

const context = { user: file.user };

describe("the shared doveadm vectors", () => {
  it("are all there: 62 hashes over three passwords", () => {
    expect(file.vectors).toHaveLength(62);
    expect(Object.keys(file.passwords).sort()).toEqual(["ascii", "long80", "utf8"]);
  });

  const labelled = file.vectors.map(
    (v) => [`${v.scheme}${v.rounds === null ? "" : ` at ${v.rounds} rounds`} (${v.password})`, v] as const,
  );

  it.concurrent.each(labelled)("%s matches its password", async (_, vector) => {
    const outcome = await hasher.verify(file.passwords[vector.password], vector.hash, context);
    expect(outcome.status).toBe("match");
  });

  it.concurrent.each(labelled)("%s rejects a wrong password", async (_, vector) => {
    const outcome = await hasher.verify(
      wrongPasswordFor(file.passwords[vector.password]),
      vector.hash,
      context,
    );
    expect(outcome).toEqual({ status: "mismatch" });
  });

  it("bcrypt reads only the first 72 bytes, as Dovecot does", async () => {
    const outcome = await hasher.verify(file.truncation.alsoVerifies, file.truncation.hash);
    expect(outcome.status).toBe("match");
  });
});

describe("the extra doveadm-checked hashes", () => {
  const labelled = extra.vectors.map((v) => [`${v.note} (${v.password})`, v] as const);

  it.concurrent.each(labelled)("%s: matches its password", async (_, vector) => {
    const outcome = await hasher.verify(file.passwords[vector.password], vector.hash, context);
    expect(outcome.status).toBe("match");
  });

  it.concurrent.each(labelled)("%s: rejects a wrong password", async (_, vector) => {
    const outcome = await hasher.verify(
      wrongPasswordFor(file.passwords[vector.password]),
      vector.hash,
      context,
    );
    expect(outcome).toEqual({ status: "mismatch" });
  });
});
