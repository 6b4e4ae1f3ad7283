import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative } from "node:path";

/** A section of a Dovecot config, `type [name] { key = value ... }`; a whole file is type "". */
export interface ConfSection {
  type: string;
  name: string;
  /** The file the section was opened in. */
  file: string;
  settings: Map<string, string>;
  sections: ConfSection[];
}

/** An included file's text, and how includes inside it are found. */
export type Include = (pattern: string) => { file: string; text: string; include: Include }[];

const section = (type: string, name: string, file: string): ConfSection => ({
  type,
  name,
  file,
  settings: new Map(),
  sections: [],
});

const unquote = (value: string) => value.replace(/^"(.*)"$/, "$1");

/**
 * Reads Dovecot 2.3 and 2.4 config text: settings, nested sections and `!include` (through
 * `include`). Enough to find passdbs and oauth2 settings, not a validator: `doveconf -n` is that.
 */
export function parseConf(text: string, file = "", include: Include = () => []): ConfSection {
  const root = section("", "", file);
  const stack = [root];
  const feed = (text: string, file: string, include: Include) => {
    for (const raw of text.replace(/\\\r?\n/g, " ").split("\n")) {
      const line = raw.replace(/(^|\s)#.*$/, "").trim();
      const top = stack[stack.length - 1] as ConfSection;
      const included = /^!include(?:_try)?\s+(.+)$/.exec(line);
      const setting = /^([\w.-]+)\s*=\s*(.*)$/.exec(line);
      const opening = /^([\w-]+)(?:\s+([^{]*?))?\s*\{\s*(.*?)\s*(\})?$/.exec(line);
      if (included) {
        for (const f of include(unquote(included[1] as string))) feed(f.text, f.file, f.include);
      } else if (line === "}") {
        if (stack.length > 1) stack.pop();
      } else if (setting) {
        top.settings.set(setting[1] as string, unquote(setting[2] as string));
      } else if (opening) {
        const opened = section(opening[1] as string, unquote(opening[2] ?? ""), file);
        top.sections.push(opened);
        // One-line `userdb { driver = prefetch }`: one setting at most is read from it.
        const inner = /^([\w.-]+)\s*=\s*(.*)$/.exec(opening[3] ?? "");
        if (inner) opened.settings.set(inner[1] as string, unquote(inner[2] as string));
        if (!opening[4]) stack.push(opened);
      }
    }
  };
  feed(text, file, include);
  return root;
}

/**
 * Reads a config file and what it includes from disk. Relative includes are relative to the
 * including file; paths under /etc/dovecot are read from `root` instead, so that a copy of a
 * config (or the examples, which name /etc/dovecot) can be checked where it is.
 */
export function readConf(path: string, root: string): ConfSection {
  return parseConf(readFileSync(path, "utf8"), path, includer(path, root));
}

// Deeper than this is a file including itself.
const MAX_INCLUDE_DEPTH = 16;

function includer(from: string, root: string, depth = 0): Include {
  if (depth > MAX_INCLUDE_DEPTH) return () => [];
  return (pattern) =>
    expand(resolveConfPath(pattern, dirname(from), root)).map((file) => ({
      file,
      text: readFileSync(file, "utf8"),
      include: includer(file, root, depth + 1),
    }));
}

/** Where a path named in a config is, for a config checked in `root` (see readConf). */
export function resolveConfPath(path: string, dir: string, root: string): string {
  if (!isAbsolute(path)) return join(dir, path);
  const etc = relative("/etc/dovecot", path);
  return etc.startsWith("..") ? path : join(root, etc);
}

/** A path whose last part may hold `*` globs, as the existing files it matches, sorted. */
function expand(path: string): string[] {
  const name = basename(path);
  if (!name.includes("*")) return existsSync(path) && statSync(path).isFile() ? [path] : [];
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  const pattern = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  return readdirSync(dir)
    .filter((n) => pattern.test(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((f) => statSync(f).isFile());
}

/** Every section of a type, depth first in file order. */
export function sectionsOf(conf: ConfSection, type: string): ConfSection[] {
  return conf.sections.flatMap((s) => [...(s.type === type ? [s] : []), ...sectionsOf(s, type)]);
}

/** A passdb as found: its driver, and for 2.3 its `args` file. */
export interface Passdb {
  driver: string;
  section: ConfSection;
}

/** The passdbs in the order Dovecot tries them (2.3 `driver =`, or 2.4's `passdb NAME {`). */
export function passdbs(conf: ConfSection): Passdb[] {
  return sectionsOf(conf, "passdb").map((s) => ({ driver: s.settings.get("driver") ?? s.name, section: s }));
}

/**
 * Dovecot 2.4's oauth2 settings for a passdb: an `oauth2 { }` section or `oauth2_` settings at
 * the top level, overridden by those inside the passdb. Null when there are none (2.3 style).
 */
export function oauth2Settings(conf: ConfSection, passdb?: ConfSection): ConfSection | null {
  const merged = section("oauth2", "", "");
  for (const scope of [conf, passdb]) {
    if (!scope) continue;
    for (const [key, value] of scope.settings) {
      if (key.startsWith("oauth2_")) merged.settings.set(key.slice("oauth2_".length), value);
    }
    for (const s of scope.sections.filter((s) => s.type === "oauth2")) {
      merged.file = s.file;
      for (const [key, value] of s.settings) merged.settings.set(key, value);
      merged.sections.push(...s.sections);
    }
  }
  return merged.settings.size > 0 ? merged : null;
}

/** A Dovecot version as numbers, [2, 4] or [2, 3, 19, 1]; null when it is not one. */
export function parseVersion(text: string): number[] | null {
  const m = /^\s*(\d+\.\d+(?:\.\d+)*)/.exec(text);
  return m ? (m[1] as string).split(".").map(Number) : null;
}

/** a < b, missing parts read as 0: [2, 3] (a 2.3 of unknown patch level) is before [2, 3, 21]. */
export function versionBefore(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** A config directory as Dovecot reads it: its dovecot.conf, else (a bare copy of conf.d, as in
 * the examples) conf.d/*.conf in order. */
export function readConfDir(dir: string): ConfSection {
  const main = join(dir, "dovecot.conf");
  if (existsSync(main)) return readConf(main, dir);
  return parseConf("!include conf.d/*.conf", main, includer(main, dir));
}
