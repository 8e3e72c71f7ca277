-- Accounts of the admin protocol and the append-only audit trail.

CREATE TABLE accounts (
    login          text PRIMARY KEY CHECK (login ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    role           text NOT NULL CHECK (role IN ('admin', 'organizer', 'manager', 'viewer')),
    unit_code      text REFERENCES units (code),
    cadre_code     text REFERENCES cadres (code),
    is_head        boolean NOT NULL DEFAULT false,
    -- PBKDF2-HMAC-SHA256: salt and derived key in hex, and the work factor.
    password_salt  text NOT NULL,
    password_hash  text NOT NULL,
    password_rounds integer NOT NULL CHECK (password_rounds >= 210000),
    failed_logins  integer NOT NULL DEFAULT 0,
    locked_until   timestamptz,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (role = 'admin' OR unit_code IS NOT NULL)
);

-- Who did what, when, from where, and with which result. Secrets are masked before
-- they get here; the trigger below makes the table append-only for everyone.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    login       text,
    peer        text NOT NULL,
    command     text NOT NULL,
    result      text NOT NULL
);

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- First replies of state-changing commands sent with idem=<key>, per account: a repeat
-- (after a timeout or reconnect) gets the stored reply and changes nothing.
CREATE TABLE request_idempotency (
    login   text NOT NULL,
    key     text NOT NULL,
    command text NOT NULL,
    reply   text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (login, key)
);
