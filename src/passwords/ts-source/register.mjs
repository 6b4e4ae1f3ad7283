// Loaded with `--import` by pool workers only when mailauth runs from its TypeScript source
// (tests): Node 20 cannot strip types itself. Compiled builds (dist/) never load this file.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
