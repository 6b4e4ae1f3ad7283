import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

// The tests run this file from test/e2e/harness/, the benches compiled from dist/test/e2e/harness/.
const candidates = ["../../../examples/", "../../../../examples/"].map((relative) =>
  fileURLToPath(new URL(relative, import.meta.url)),
);
const examplesDir = candidates.find((dir) => existsSync(`${dir}dovecot`)) ?? (candidates[0] as string);

/** The text of a file under examples/, which the harness adapts rather than duplicates. */
export function readExample(path: string): Promise<string> {
  return readFile(examplesDir + path, "utf8");
}

/** Replaces `search` everywhere, failing loudly when it is absent so an edited example cannot silently escape the tests. */
export function substitute(text: string, search: string, replacement: string): string {
  if (!text.includes(search)) throw new Error(`example no longer contains ${JSON.stringify(search)}`);
  return text.replaceAll(search, replacement);
}

/** Sets the value of a `name = value` line (Dovecot .ext files and Postfix main.cf share the form). */
export function setSetting(text: string, name: string, value: string): string {
  const line = new RegExp(`^(\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=).*$`, "m");
  if (!line.test(text)) throw new Error(`example has no setting ${name}`);
  return text.replace(line, (_, head: string) => `${head} ${value}`);
}

/** Comments out each line between the marker lines, for a test that runs without that block. */
export function commentBlock(text: string, begin: string, end: string): string {
  const lines = text.split("\n");
  const from = lines.findIndex((line) => line.includes(begin));
  const to = lines.findIndex((line, index) => index > from && line.includes(end));
  if (from < 0 || to < 0) throw new Error(`example has no block between ${begin} and ${end}`);
  return lines.map((line, index) => (index > from && index < to ? `#${line}` : line)).join("\n");
}
