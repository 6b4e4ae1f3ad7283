import { bcryptCost } from "./schemes/bcrypt.js";
import type { ParseResult } from "./stored-hash.js";

/**
 * The rehash policy: every hash that is not bcrypt at exactly the configured cost is replaced
 * after a successful login. Lower costs and older schemes are upgrades; a higher cost is brought
 * down too, because lowering the setting is how an operator buys back CPU under load.
 */
export function needsRehash(parsed: ParseResult, policyCost: number): boolean {
  if (!parsed.ok || (parsed.scheme.name !== "BLF-CRYPT" && parsed.scheme.name !== "CRYPT")) return true;
  return bcryptCost(parsed.raw.toString("latin1")) !== policyCost;
}
