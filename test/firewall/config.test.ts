import { describe, expect, it } from "vitest";
import { DEFAULT_NFT, firewallSettingsFromEnv, MAIL_PORTS } from "../../src/firewall/config.js";

describe("firewallSettingsFromEnv", () => {
  it("defaults to table inet mailauth, chain input at priority -10, sets ban4/ban6, all traffic", () => {
    expect(firewallSettingsFromEnv({}, "/srv/mailauth/data")).toEqual({
      ok: true,
      settings: { token: null, nft: DEFAULT_NFT, command: ["nft"], stateDir: "/srv/mailauth/data/firewall" },
    });
  });

  it("reads every setting, the mail ports shorthand and a command prefix for nft", () => {
    const result = firewallSettingsFromEnv(
      {
        MAILAUTH_FIREWALL_TOKEN: "0123456789abcdef-token",
        MAILAUTH_NFT_TABLE: "edge",
        MAILAUTH_NFT_FAMILY: "bridge",
        MAILAUTH_NFT_CHAIN: "guard",
        MAILAUTH_NFT_HOOK: "forward",
        MAILAUTH_NFT_PRIORITY: "-300",
        MAILAUTH_NFT_SET4: "mailauth_ban_v4",
        MAILAUTH_NFT_SET6: "mailauth_ban_v6",
        MAILAUTH_NFT_PORTS: "mail",
        MAILAUTH_NFT_BINARY: "ip netns exec test nft",
        MAILAUTH_FIREWALL_STATE_DIR: "/run/mailauth",
      },
      "/unused",
    );
    expect(result).toEqual({
      ok: true,
      settings: {
        token: "0123456789abcdef-token",
        nft: {
          family: "bridge",
          table: "edge",
          chain: "guard",
          hook: "forward",
          priority: -300,
          set4: "mailauth_ban_v4",
          set6: "mailauth_ban_v6",
          ports: [...MAIL_PORTS],
        },
        command: ["ip", "netns", "exec", "test", "nft"],
        stateDir: "/run/mailauth",
      },
    });
  });

  it("reads a port list, sorted without duplicates", () => {
    const result = firewallSettingsFromEnv({ MAILAUTH_NFT_PORTS: "993, 25 ,993 143" }, "/d");
    expect(result.ok && result.settings.nft.ports).toEqual([25, 143, 993]);
  });

  it("names every wrong setting, including set names too long for old kernels", () => {
    const result = firewallSettingsFromEnv(
      {
        MAILAUTH_FIREWALL_TOKEN: "short",
        MAILAUTH_NFT_TABLE: "my table",
        MAILAUTH_NFT_HOOK: "output",
        MAILAUTH_NFT_PRIORITY: "high",
        MAILAUTH_NFT_SET4: "mailauth_banned_v4",
        MAILAUTH_NFT_SET6: "ban4",
        MAILAUTH_NFT_PORTS: "25,smtp",
        MAILAUTH_FIREWALL_STATE_DIR: "relative/dir",
      },
      "/d",
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        "MAILAUTH_FIREWALL_TOKEN must be at least 16 characters",
        'MAILAUTH_NFT_PRIORITY must be a whole number from -1000 to 1000, got "high"',
        'MAILAUTH_NFT_TABLE must be a name of letters, digits and _ of at most 31 characters, got "my table"',
        'MAILAUTH_NFT_HOOK must be one of input, forward, prerouting, got "output"',
        'MAILAUTH_NFT_SET4 must be a name of letters, digits and _ of at most 15 characters, got "mailauth_banned_v4"',
        'MAILAUTH_NFT_PORTS must be empty or "all", "mail", or a list of TCP ports like 25,465,587, got "25,smtp"',
        "MAILAUTH_NFT_SET4 and MAILAUTH_NFT_SET6 must differ",
        'MAILAUTH_FIREWALL_STATE_DIR must be an absolute path, got "relative/dir"',
      ],
    });
    expect(JSON.stringify(result)).not.toContain('"short"');
  });

  it("rejects names nft reads as keywords, naming the setting", () => {
    const result = firewallSettingsFromEnv(
      {
        MAILAUTH_NFT_TABLE: "filter",
        MAILAUTH_NFT_CHAIN: "map",
        MAILAUTH_NFT_SET4: "ip",
        MAILAUTH_NFT_SET6: "counter",
      },
      "/d",
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        'MAILAUTH_NFT_CHAIN cannot be "map": nft reads it as a keyword; choose another name',
        'MAILAUTH_NFT_SET4 cannot be "ip": nft reads it as a keyword; choose another name',
        'MAILAUTH_NFT_SET6 cannot be "counter": nft reads it as a keyword; choose another name',
      ],
    });
    for (const word of ["set", "chain", "drop", "limit", "log", "table", "ll"]) {
      expect(firewallSettingsFromEnv({ MAILAUTH_NFT_TABLE: word }, "/d")).toMatchObject({ ok: false });
    }
  });
});
