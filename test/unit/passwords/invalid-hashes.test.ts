import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { checkHashFormat, createPasswordHasher } from "../../../src/passwords/index.js";
import { loadDoveadmVectors } from "./vectors.js";

const { passwords, vectors } = loadDoveadmVectors();
// Cost 4: an invalid hash still spends a dummy verification, which should not slow these tests.
const hasher = createPasswordHasher({ bcryptCost: 4, workers: 2, queueMax: 64 });
afterAll(() => hasher.close());

const dataOf = (scheme: string) => {
  const hash = vectors.find((v) => v.scheme === scheme)?.hash ?? "";
  return hash.slice(hash.indexOf("}") + 1);
};

const CASES: [string, string, string][] = [
  ["an unknown scheme, without echoing its name", "{ROT13}Frperg123!", "unknown password scheme"],
  [
    "a Dovecot scheme with no Node implementation",
    "{PLAIN-MD4}ac50a389ca5787e9f745ee6a6ecb75f4",
    "{PLAIN-MD4} is not supported",
  ],
  ["a hash without a {SCHEME} prefix", "5ebe2294ecd0e0f08eab7690d2a6ee69", "no {SCHEME} prefix"],
  ["an unclosed {SCHEME prefix", "{SSHA512bRfKhykPUDNsTx7C2yAYyX46nQ", "malformed {SCHEME} prefix"],
  ["an unknown encoding suffix", "{PLAIN.ROT13}Frperg123!", "unknown encoding suffix"],
  [
    "yescrypt under {CRYPT}",
    "{CRYPT}$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
    "yescrypt ($y$) is not supported",
  ],
  [
    "yescrypt without a prefix, as a passwd-file made by Debian's mkpasswd holds it",
    "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
    "yescrypt ($y$) is not supported",
  ],
  [
    "a DES hash of 12 characters",
    `{DES-CRYPT}${dataOf("DES-CRYPT").slice(0, 12)}`,
    "malformed DES crypt hash",
  ],
  ["a DES hash of 14 characters", `{CRYPT}${dataOf("DES-CRYPT")}E`, "malformed DES crypt hash"],
  [
    "a DES hash with a character outside crypt's alphabet",
    `{CRYPT}${dataOf("DES-CRYPT").replace("/", "!")}`,
    "malformed DES crypt hash",
  ],
  [
    "a DES hash ending in a character no DES output ends in",
    `{DES-CRYPT}${dataOf("DES-CRYPT").slice(0, 12)}F`,
    "malformed DES crypt hash",
  ],
  ["BSDi extended DES", "{CRYPT}_J9..CCCCXBrJUJV154M", "BSDi extended DES crypt is not supported"],
  ["argon2 inside {CRYPT}", `{CRYPT}${dataOf("ARGON2ID")}`, "store it as {ARGON2ID}"],
  ["an empty {CRYPT}", "{CRYPT}", "empty crypt hash"],
  [
    "a SHA-crypt hash under {BLF-CRYPT}",
    `{BLF-CRYPT}${dataOf("SHA512-CRYPT")}`,
    "BLF-CRYPT data is not a bcrypt hash",
  ],
  [
    "a truncated bcrypt hash",
    "{BLF-CRYPT}$2y$10$FzWXUIKvxt3WrNBnVFNsu.nHTpCNoS3hbOA2E",
    "malformed bcrypt hash",
  ],
  [
    "a bcrypt cost above 31",
    "{BLF-CRYPT}$2y$32$FzWXUIKvxt3WrNBnVFNsu.nHTpCNoS3hbOA2EjWujaXfaqzK35ata",
    "bcrypt cost out of range",
  ],
  [
    "argon2d",
    "{ARGON2ID}$argon2d$v=19$m=65536,t=3,p=1$SA5BNMIFAWa6GJk7Aagdug$qWKHgYS9gffUFzYZs7kN8tMK3zhO11yoyP9Vw88wHEM",
    "argon2d is not supported",
  ],
  [
    "argon2 asking for 64 GiB",
    "{ARGON2ID}$argon2id$v=19$m=67108864,t=3,p=1$SA5BNMIFAWa6GJk7Aagdug$qWKHgYS9gffUFzYZs7kN8tMK3zhO11yoyP9Vw88wHEM",
    "argon2 memory cost above 1 GiB",
  ],
  [
    "SHA-crypt with a billion rounds",
    "{SHA512-CRYPT}$6$rounds=999999999$j4FWA3uRNMWo5lQ5$TMMaIvK2U6pet3WKdtqMPixhFF19Gvq3m02NhJpDKag5RYqGK0wBfTYFqiEJ4OYcq8vnfLYqK03Jp7SAlmvea.",
    "SHA-crypt rounds above",
  ],
  [
    "SHA-crypt with a short digest",
    "{SHA512-CRYPT}$6$DpDQaUreZCOfqmUv$arxhrzSBL5vUljVk3fcjC",
    "SHA-crypt digest has the wrong length",
  ],
  [
    "MD5-crypt with a salt longer than 8",
    "{MD5-CRYPT}$1$dOXx/Zov123$6jvWaEReEpTDeWe17dQKZ1",
    "malformed MD5-crypt hash",
  ],
  ["{MD5} that is neither md5crypt nor a digest", "{MD5}not-an-md5", "neither MD5-crypt nor an MD5 digest"],
  ["PBKDF2 with a short key", "{PBKDF2}$1$sNhFrE5WsmIK96DW$5000$00b0beb6b669", "malformed PBKDF2 data"],
  [
    "PBKDF2 with zero rounds",
    "{PBKDF2}$1$sNhFrE5WsmIK96DW$0$00b0beb6b669b0e6c899d4387f7a39609efeb4f0",
    "PBKDF2 rounds out of range",
  ],
  [
    "SCRAM with three fields",
    "{SCRAM-SHA-1}4096,r/TDp1PfchVjNBVdIdsTkQ==,WvNkUrVWKUhR69VvMKegucr4/cQ=",
    "malformed SCRAM-SHA-1 data",
  ],
  [
    "SCRAM under RFC 5802's 4096 iterations",
    "{SCRAM-SHA-1}1000,r/TDp1PfchVjNBVdIdsTkQ==,WvNkUrVWKUhR69VvMKegucr4/cQ=,jhCSs4Yzpijc7f6xelHVDRn8eWI=",
    "iteration count out of range",
  ],
  [
    "a digest that is not base64",
    "{SHA256}lOD5vH9aUiW9FButWt+b78wRKu8JuI9HoU4gt1p7vsI!",
    "SHA256: data is not valid base64",
  ],
  [
    "a digest of the wrong length",
    "{SHA256}r22vXxpgyR9zNh3Udsl+SWvtoGU=",
    "SHA256: digest is 20 bytes instead of 32",
  ],
  ["hex that is not hex", "{SHA256.HEX}zz", "SHA256: data is not valid hex"],
  [
    "an SSHA too short to hold a salt",
    "{SSHA}r22vXxpgyR9zNh3Udsl+SWvtoGU=",
    "SSHA data is too short to hold a salt",
  ],
  ["PLAIN-TRUNC without its length", "{PLAIN-TRUNC}Secret", "lacks its <length>- prefix"],
];

describe("an unusable stored hash", () => {
  it.each(CASES)("%s is invalid, in verify() and in checkHashFormat()", async (_, stored, reason) => {
    const outcome = await hasher.verify(passwords.ascii, stored);
    expect(outcome).toEqual({ status: "invalid", reason: expect.stringContaining(reason) });
    expect(checkHashFormat(stored)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  it("DIGEST-MD5 is well-formed but needs the user name to verify", async () => {
    const stored = vectors.find((v) => v.scheme === "DIGEST-MD5")?.hash ?? "";
    expect(checkHashFormat(stored)).toEqual({ ok: true, scheme: "DIGEST-MD5" });
    expect(await hasher.verify(passwords.ascii, stored)).toEqual({
      status: "invalid",
      reason: "DIGEST-MD5 needs the user name to verify",
    });
  });

  it("bcrypt $2x$ refuses a non-ASCII password rather than guess", async () => {
    const stored = `{CRYPT}$2x$${dataOf("BLF-CRYPT").slice(4)}`;
    expect(await hasher.verify(passwords.utf8, stored)).toEqual({
      status: "invalid",
      reason: "bcrypt $2x$ with a non-ASCII password is not supported",
    });
  });
});

describe("whatever the stored text", () => {
  const schemes = [
    "",
    "{SSHA512}",
    "{BLF-CRYPT}",
    "{CRYPT}",
    "{PBKDF2}",
    "{SCRAM-SHA-256}",
    "{NOPE}",
    "{MD5}",
    "{PLAIN-TRUNC}",
  ];
  const stored = fc
    .tuple(fc.constantFrom(...schemes), fc.string({ minLength: 8 }))
    .map(([s, d]) => ({ s, d }));

  it("checkHashFormat() never throws and never quotes the data", () => {
    fc.assert(
      fc.property(stored, ({ s, d }) => {
        const result = checkHashFormat(s + d);
        if (!result.ok) expect(result.reason).not.toContain(d);
      }),
      { numRuns: 2000 },
    );
  });

  it("verify() never throws and never quotes the data or the password", async () => {
    await fc.assert(
      fc.asyncProperty(stored, fc.string({ minLength: 8 }), async ({ s, d }, password) => {
        const outcome = await hasher.verify(password, s + d);
        if (outcome.status === "invalid") {
          expect(outcome.reason).not.toContain(d);
          expect(outcome.reason).not.toContain(password);
        }
      }),
      { numRuns: 200 },
    );
  });
});
