-- Every instance caches login lookups; any change to an account or a domain is announced on
-- NOTIFY mailauth_accounts so each cache drops it at once (payload: the email, or '*' for all).

CREATE FUNCTION mailauth_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('mailauth_accounts', OLD.email);
  ELSE
    PERFORM pg_notify('mailauth_accounts', NEW.email);
    IF TG_OP = 'UPDATE' AND NEW.email <> OLD.email THEN
      PERFORM pg_notify('mailauth_accounts', OLD.email);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER users_notify AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION mailauth_notify_user();

CREATE FUNCTION mailauth_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mailauth_accounts', '*');
  RETURN NULL;
END $$;

CREATE TRIGGER domains_notify AFTER INSERT OR UPDATE OR DELETE ON domains
  FOR EACH STATEMENT EXECUTE FUNCTION mailauth_notify_all();
