-- The organisation every workflow stands on: units (a tree) and cadres.

CREATE TABLE units (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,64}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    parent_code text REFERENCES units (code),
    kind        text NOT NULL DEFAULT 'unit',
    locality    text,
    -- Materialised path of codes from the root, e.g. 'HN/HN.BD/HN.BD.01', for subtree scope checks.
    path        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_code IS NULL OR parent_code <> code)
);
CREATE INDEX units_parent ON units (parent_code);
CREATE INDEX units_path ON units (path text_pattern_ops);

CREATE TABLE cadres (
    code         text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.-]{1,64}$'),
    full_name    text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 300),
    unit_code    text NOT NULL REFERENCES units (code),
    position     text,
    level        text NOT NULL DEFAULT 'staff' CHECK (level IN ('head', 'deputy', 'staff')),
    hometown     text,
    born         date,
    sex          text CHECK (sex IN ('m', 'f')),
    party_since  date,
    planning     boolean NOT NULL DEFAULT false,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_leave', 'retired')),
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cadres_unit ON cadres (unit_code);
