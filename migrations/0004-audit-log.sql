-- Who changed what, through the CLI or the admin API (docs/architecture.md).
-- before/after hold the changed object's visible fields: never a password or a hash (a user's
-- scheme name and must_change_password stand for it).

CREATE TABLE audit_log (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  -- "cli:<unix user>" or "api:<token name>"
  actor   text NOT NULL,
  -- e.g. user.add, user.passwd, user.disable, domain.upsert, ban.add, allow.add
  action  text NOT NULL,
  target  text,
  before  jsonb,
  after   jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
