import { describe, expect, it } from "vitest";
import { parseRemoteAddress } from "../../../src/net/remote-address.js";

describe("parseRemoteAddress", () => {
  it.each([
    ["203.0.113.9:0", "203.0.113.9"],
    ["203.0.113.9:993", "203.0.113.9"],
    ["203.0.113.9", "203.0.113.9"],
    ["[2001:DB8:0:0::1]:993", "2001:db8::1"],
    ["[::ffff:198.51.100.7]:143", "198.51.100.7"],
    ["::ffff:c633:6407", "198.51.100.7"],
    ["2001:db8::1", "2001:db8::1"],
    ["[fe80::1%eth0]:143", "fe80::1"],
  ])("reads %s as %s", (header, ip) => {
    expect(parseRemoteAddress(header)).toBe(ip);
  });

  it.each(["", "localhost:143", "999.1.1.1:0", "1.2.3.4:5:6", "[nope]:1", "' OR 1=1 --", "x".repeat(100)])(
    "gives null for %j",
    (header) => {
      expect(parseRemoteAddress(header)).toBeNull();
    },
  );
});
