import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MD5_IV, md5Block } from "../../../src/passwords/schemes/md5-block.js";

describe("md5Block()", () => {
  it("agrees with node:crypto on a message that fits one padded block", () => {
    const message = Buffer.from("jean.dupont@exemple.fr");
    const block = Buffer.alloc(64);
    message.copy(block);
    block[message.length] = 0x80;
    block.writeUInt32LE(message.length * 8, 56);
    const state = md5Block(MD5_IV, block);
    const digest = Buffer.alloc(16);
    state.forEach((word, i) => {
      digest.writeUInt32LE(word, i * 4);
    });
    expect(digest.toString("hex")).toBe(createHash("md5").update(message).digest("hex"));
  });
});
