import type { Hono } from "hono";
import type { Secret } from "../../accounts/accounts.js";
import { parseAddress, parseDomain } from "../../accounts/address.js";
import { getUser, listUsers } from "../../accounts/queries.js";
import { userView } from "../../accounts/views.js";
import {
  auditedAddUser,
  auditedDeleteUser,
  auditedResetPassword,
  auditedSetEnabled,
} from "../../audit/changes.js";
import type { Deps } from "../../deps.js";
import {
  API_ACTOR,
  conflict,
  fieldsOf,
  handle,
  invalid,
  type Json,
  jsonBody,
  notFound,
  onlyFields,
  optBool,
  optString,
  param,
} from "./reply.js";

function emailOf(raw: string): string {
  const address = parseAddress(raw);
  if (!address.ok) throw invalid(`${raw} ${address.reason}`);
  return address.address.email;
}

function secretOf(body: Json): Secret {
  const password = optString(body, "password", 4096);
  const hash = optString(body, "hash", 4096);
  if ((password === null) === (hash === null)) throw invalid("give either password or hash");
  return password !== null ? { password } : { hash: hash as string };
}

/** A refused change: "already exists" is a conflict, "no account" a 404, the rest bad input. */
function refused(reason: string): never {
  if (reason.endsWith("already exists")) throw conflict(reason);
  if (reason.startsWith("no account")) throw notFound(reason);
  throw invalid(reason);
}

/** /users: accounts. */
export function registerUsers(app: Hono, deps: Deps): void {
  const shown = async (email: string) => {
    const user = await getUser(deps.db, email);
    if (!user) throw notFound(`no account ${email}`);
    return userView(user);
  };

  app.get(
    "/users",
    handle(async (c) => {
      const domainRaw = c.req.query("domain");
      let domain: string | undefined;
      if (domainRaw !== undefined) {
        const parsed = parseDomain(domainRaw);
        if (!parsed.ok) throw invalid(`domain: ${domainRaw} ${parsed.reason}`);
        domain = parsed.domain;
      }
      const weak = c.req.query("weak");
      if (weak !== undefined && weak !== "true" && weak !== "false")
        throw invalid("weak must be true or false");
      const users = await listUsers(deps.db, { domain, weakOnly: weak === "true" });
      return c.json({ users: users.map(userView) });
    }),
  );

  app.post(
    "/users",
    handle(async (c) => {
      const body = await jsonBody(c);
      onlyFields(body, [
        "email",
        "password",
        "hash",
        "home",
        "mail",
        "uid",
        "gid",
        "quota_rule",
        "allow_weak",
      ]);
      const email = emailOf(optString(body, "email", 320) ?? "");
      const secret = secretOf(body);
      const result = await auditedAddUser(deps, API_ACTOR, email, secret, fieldsOf(body), {
        allowWeak: optBool(body, "allow_weak"),
      });
      if (!result.ok) refused(result.reason);
      return c.json(await shown(email), 201);
    }),
  );

  app.get(
    "/users/:email",
    handle(async (c) => c.json(await shown(emailOf(param(c, "email"))))),
  );

  for (const enabled of [true, false]) {
    app.post(
      `/users/:email/${enabled ? "enable" : "disable"}`,
      handle(async (c) => {
        const email = emailOf(param(c, "email"));
        if (!(await auditedSetEnabled(deps.db, API_ACTOR, email, enabled)))
          throw notFound(`no account ${email}`);
        return c.json(await shown(email));
      }),
    );
  }

  app.delete(
    "/users/:email",
    handle(async (c) => {
      const email = emailOf(param(c, "email"));
      if (!(await auditedDeleteUser(deps.db, API_ACTOR, email))) throw notFound(`no account ${email}`);
      return c.json({ deleted: email });
    }),
  );

  app.post(
    "/users/:email/password",
    handle(async (c) => {
      const email = emailOf(param(c, "email"));
      const body = await jsonBody(c);
      onlyFields(body, ["password", "hash", "allow_weak"]);
      const result = await auditedResetPassword(deps, API_ACTOR, email, secretOf(body), {
        allowWeak: optBool(body, "allow_weak"),
      });
      if (!result.ok) refused(result.reason);
      return c.json(await shown(email));
    }),
  );
}
