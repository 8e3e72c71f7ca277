-- Units with effective dates and lineage, cadre records the workflows need, and the
-- seams of issue 9 (idempotency claims, schedule runs that finish outside their
-- recording transaction).

-- A unit exists from valid_from (NULL: since before the records) until the day before
-- valid_to (NULL: still exists). Parents never change: a reorganisation closes units and
-- opens successors, recorded in unit_events and unit_lineage.
ALTER TABLE units
    ADD COLUMN valid_from date,
    ADD COLUMN valid_to date,
    ADD CONSTRAINT units_valid_range CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from);

-- One reorganisation step: merge, split, rename or close, on a date, by a decision.
CREATE TABLE unit_events (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('merge', 'split', 'rename', 'close')),
    subject     text NOT NULL REFERENCES units (code),
    effective   date NOT NULL,
    decision    text NOT NULL CHECK (length(decision) BETWEEN 1 AND 1000),
    old_name    text,
    new_name    text,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_events_subject ON unit_events (subject, effective);

-- Which unit went (wholly or in part) into which, by which event.
CREATE TABLE unit_lineage (
    event_id    bigint NOT NULL REFERENCES unit_events (id),
    predecessor text NOT NULL REFERENCES units (code),
    successor   text NOT NULL REFERENCES units (code),
    PRIMARY KEY (event_id, predecessor, successor),
    CHECK (predecessor <> successor)
);
CREATE INDEX unit_lineage_predecessor ON unit_lineage (predecessor);
CREATE INDEX unit_lineage_successor ON unit_lineage (successor);

-- The history of units, events and lineage is never rewritten.
CREATE TRIGGER unit_events_no_change BEFORE UPDATE OR DELETE ON unit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER unit_lineage_no_change BEFORE UPDATE OR DELETE ON unit_lineage
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();

-- Cadre fields for leave and for the secondment checks.
ALTER TABLE cadres
    ADD COLUMN leave_from date,
    ADD COLUMN leave_until date,
    ADD COLUMN pregnant boolean NOT NULL DEFAULT false,
    ADD COLUMN child_born date,
    ADD CONSTRAINT cadres_leave_range CHECK (leave_until IS NULL OR leave_from IS NULL OR leave_until >= leave_from);

-- Where a cadre worked, in which post, when, and why it changed. The open entry
-- (valid_to NULL) is the current one; a move closes it and opens the next.
CREATE TABLE cadre_work_history (
    id          bigserial PRIMARY KEY,
    cadre_code  text NOT NULL REFERENCES cadres (code),
    unit_code   text NOT NULL REFERENCES units (code),
    position    text,
    level       text NOT NULL CHECK (level IN ('head', 'deputy', 'staff')),
    valid_from  date NOT NULL,
    valid_to    date,
    reason      text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT work_history_range CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX cadre_work_history_cadre ON cadre_work_history (cadre_code, valid_from);
CREATE UNIQUE INDEX cadre_work_history_open ON cadre_work_history (cadre_code) WHERE valid_to IS NULL;
CREATE INDEX cadre_work_history_unit ON cadre_work_history (unit_code, valid_from);

-- Disciplinary measures (a disciplined year grades D).
CREATE TABLE cadre_discipline (
    id          bigserial PRIMARY KEY,
    cadre_code  text NOT NULL REFERENCES cadres (code),
    year        integer NOT NULL CHECK (year BETWEEN 1945 AND 9999),
    form        text NOT NULL CHECK (form IN ('reprimand', 'warning', 'removal_from_post', 'dismissal')),
    decision    text NOT NULL CHECK (length(decision) BETWEEN 1 AND 1000),
    decided_on  date NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cadre_discipline_cadre ON cadre_discipline (cadre_code, year);
CREATE TRIGGER cadre_discipline_no_change BEFORE UPDATE OR DELETE ON cadre_discipline
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();

-- An idempotency key is claimed (reply NULL) inside the command's transaction and its
-- reply stored before COMMIT.
ALTER TABLE request_idempotency ALTER COLUMN reply DROP NOT NULL;

-- A schedule action that runs outside its recording transaction is 'running' under a
-- lease until it returns.
ALTER TABLE schedule_runs DROP CONSTRAINT schedule_runs_status_check;
ALTER TABLE schedule_runs
    ADD CONSTRAINT schedule_runs_status_check CHECK (status IN ('ran', 'skipped', 'running')),
    ADD COLUMN lease_until timestamptz;
