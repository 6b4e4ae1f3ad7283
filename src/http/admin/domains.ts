import type { Hono } from "hono";
import { parseDomain } from "../../accounts/address.js";
import { listDomains } from "../../accounts/queries.js";
import { auditedRemoveDomain, auditedUpsertDomain } from "../../audit/changes.js";
import type { Deps } from "../../deps.js";
import {
  API_ACTOR,
  conflict,
  fieldsOf,
  handle,
  invalid,
  jsonBody,
  notFound,
  onlyFields,
  param,
} from "./reply.js";

function domainOf(raw: string): string {
  const parsed = parseDomain(raw);
  if (!parsed.ok) throw invalid(`${raw} ${parsed.reason}`);
  return parsed.domain;
}

/** /domains: the defaults a domain's users inherit. */
export function registerDomains(app: Hono, deps: Deps): void {
  app.get(
    "/domains",
    handle(async (c) => c.json({ domains: await listDomains(deps.db) })),
  );

  app.put(
    "/domains/:name",
    handle(async (c) => {
      const name = domainOf(param(c, "name"));
      const body = await jsonBody(c);
      onlyFields(body, ["home", "mail", "uid", "gid", "quota_rule"]);
      const { existed } = await auditedUpsertDomain(deps.db, API_ACTOR, name, fieldsOf(body));
      const [domain] = await listDomains(deps.db, name);
      return c.json(domain ?? null, existed ? 200 : 201);
    }),
  );

  app.delete(
    "/domains/:name",
    handle(async (c) => {
      const name = domainOf(param(c, "name"));
      const result = await auditedRemoveDomain(deps.db, API_ACTOR, name);
      if (result === "missing") throw notFound(`no domain ${name}`);
      if (result === "has_users") throw conflict(`${name} still has accounts; delete them first`);
      return c.json({ deleted: name });
    }),
  );
}
