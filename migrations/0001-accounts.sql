-- Accounts and their domains. Emails and domain names are stored lowercased, as Dovecot's
-- default auth_username_format (%Lu) sends them.

CREATE TABLE domains (
  name        text PRIMARY KEY CHECK (name = lower(name) AND name <> ''),
  -- Defaults a user inherits; home and mail may hold %u (whole address), %n (local part), %d (domain).
  home        text,
  mail        text,
  uid         integer CHECK (uid >= 0),
  gid         integer CHECK (gid >= 0),
  quota_rule  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email                 text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '_%@_%'),
  domain                text NOT NULL CHECK (domain = split_part(email, '@', 2)),
  -- Dovecot notation, {SCHEME}data, so Dovecot itself can still read the column.
  password_hash         text NOT NULL,
  enabled               boolean NOT NULL DEFAULT true,
  must_change_password  boolean NOT NULL DEFAULT false,
  home                  text,
  mail                  text,
  uid                   integer CHECK (uid >= 0),
  gid                   integer CHECK (gid >= 0),
  quota_rule            text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  password_changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_domain_idx ON users (domain);

-- Every login attempt; never the password.
CREATE TABLE auth_events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL,
  ip       inet,
  login    text NOT NULL,
  service  text NOT NULL,
  outcome  text NOT NULL,
  reason   text
);
CREATE INDEX auth_events_at_idx ON auth_events (at);
CREATE INDEX auth_events_ip_at_idx ON auth_events (ip, at);

-- Expands Dovecot's %u (whole address), %n (local part) and %d (domain) in a home or mail template.
CREATE FUNCTION mailauth_expand(template text, email text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace(replace(template, '%u', email), '%n', split_part(email, '@', 1)), '%d', split_part(email, '@', 2))
$$;

-- A user's userdb fields: its own, else its domain's, expanded; '' where neither has one. The
-- login path (which then applies the service-wide defaults) and Dovecot's own `sql` userdb (LMTP,
-- doveadm user) both read this one view.
CREATE VIEW dovecot_userdb AS
SELECT
  u.id,
  u.email AS "user",
  u.enabled,
  coalesce(mailauth_expand(coalesce(u.home, d.home), u.email), '') AS home,
  coalesce(mailauth_expand(coalesce(u.mail, d.mail), u.email), '') AS mail,
  coalesce(coalesce(u.uid, d.uid)::text, '') AS uid,
  coalesce(coalesce(u.gid, d.gid)::text, '') AS gid,
  coalesce(u.quota_rule, d.quota_rule, '') AS quota_rule
FROM users u
LEFT JOIN domains d ON d.name = u.domain;
