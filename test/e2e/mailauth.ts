import { inject } from "vitest";
import type { UserFields } from "../../src/accounts/queries.js";
import { startTestService, TEST_CLIENT_SECRET } from "../helpers/service.js";

/** What addMailDomain needs of a started Dovecot. */
type MailHost = { homeRoot: string; mailOwner: { uid: number; gid: number } };

type Fields = { home?: string; mail?: string; uid?: number; gid?: number; quotaRule?: string };

const toUserFields = (f: Fields = {}): Partial<UserFields> => ({
  home: f.home ?? null,
  mail: f.mail ?? null,
  uid: f.uid ?? null,
  gid: f.gid ?? null,
  quota_rule: f.quotaRule ?? null,
});

/**
 * mailauth for the end-to-end tests, on real PostgreSQL when the suite has one (so Dovecot's sql
 * userdb can read the same database), else on the embedded one.
 */
export async function startMailauth(options: { env?: Record<string, string> } = {}) {
  const service = await startTestService({
    kind: inject("postgresUrl") ? "postgres" : "embedded",
    env: options.env,
  });
  const { deps } = service.server;
  const clientId = deps.dovecotClient.id;
  return {
    url: service.url,
    clientId,
    clientSecret: TEST_CLIENT_SECRET,
    /** The oauth2 passdb settings for startDovecot that point at this mailauth. */
    passdb: { tokenUrl: `${service.url}/dovecot/token`, clientId, clientSecret: TEST_CLIENT_SECRET },
    /** example.org with its mail under that Dovecot's home root, owned by its mail user. */
    addMailDomain: (dovecot: MailHost, extra: Fields = {}) =>
      service.addDomain(
        "example.org",
        toUserFields({
          home: `${dovecot.homeRoot}/%d/%n`,
          mail: "maildir:~/Maildir",
          ...dovecot.mailOwner,
          ...extra,
        }),
      ),
    policyToken: deps.policyToken,
    /** Whether the address is banned, once background work (bans are made after the reply) is done. */
    async banned(ip: string) {
      await deps.background.drain();
      return deps.blacklist.check(ip).ban !== null;
    },
    databaseUrl: service.databaseUrl,
    addUser: (email: string, password: string, fields?: Fields) =>
      service.addUser(email, password, toUserFields(fields)),
    setEnabled: (email: string, enabled: boolean) => service.setEnabled(email, enabled),
    addDomain: (name: string, defaults: Fields) => service.addDomain(name, toUserFields(defaults)),
    async events() {
      await deps.events.flush();
      return deps.db.query<{ ip: string | null; login: string; service: string; outcome: string }>(
        "SELECT host(ip) AS ip, login, service, outcome FROM auth_events ORDER BY id",
      );
    },
    /** Whether the account is flagged for a password change, once background checks have run. */
    async mustChange(email: string) {
      await deps.background.drain();
      const [row] = await deps.db.query<{ must_change_password: boolean }>(
        "SELECT must_change_password FROM users WHERE email = $1",
        [email],
      );
      return row?.must_change_password ?? null;
    },
    failDatabase: (on: boolean) => service.failDatabase(on),
    close: () => service.close(),
  };
}
