-- The persistent blacklist and its allowlist (docs/blacklist.md).
-- A ban row is also the offence history escalation counts: rows are lifted or expire, never
-- deleted before the history retention (longer than the escalation ladder) has passed.

CREATE TABLE bans (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network       cidr NOT NULL,
  reason        text NOT NULL,
  source        text NOT NULL CHECK (source IN ('auto', 'manual')),
  -- Rung of the escalation ladder this ban was given (1 = first offence).
  level         integer NOT NULL CHECK (level >= 1),
  created_at    timestamptz NOT NULL,
  -- NULL: permanent.
  expires_at    timestamptz,
  -- Permanent bans: when a person should look at it again.
  review_at     timestamptz,
  lifted_at     timestamptz,
  lifted_reason text,
  -- Refused attempts while banned; first and last attempt seen.
  hits          bigint NOT NULL DEFAULT 0,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  CHECK (expires_at IS NULL OR expires_at > created_at)
);
CREATE INDEX bans_live_idx ON bans (expires_at) WHERE lifted_at IS NULL;
CREATE INDEX bans_network_idx ON bans (network, created_at);

CREATE TABLE allowlist (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network     cidr NOT NULL,
  reason      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- NULL: until removed.
  expires_at  timestamptz
);
CREATE INDEX allowlist_network_idx ON allowlist (network);

-- Any change to either table: every instance reloads its in-memory matcher.
CREATE FUNCTION mailauth_notify_bans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mailauth_bans', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER bans_notify AFTER INSERT OR UPDATE OF expires_at, lifted_at, network OR DELETE ON bans
  FOR EACH STATEMENT EXECUTE FUNCTION mailauth_notify_bans();
CREATE TRIGGER allowlist_notify AFTER INSERT OR UPDATE OR DELETE ON allowlist
  FOR EACH STATEMENT EXECUTE FUNCTION mailauth_notify_bans();
