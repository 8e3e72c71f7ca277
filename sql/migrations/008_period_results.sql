-- Quarter and year results as approved by the head of a unit (YEAR APPROVE): frozen once
-- approved, so a later change to a month does not silently change a published result.

CREATE TABLE period_results (
    period        text NOT NULL CHECK (period ~ '^[0-9]{4}(-Q[1-4])?$'),
    cadre_code    text NOT NULL REFERENCES cadres (code),
    unit_code     text NOT NULL REFERENCES units (code),
    level         text NOT NULL,
    score         text,
    grade         text CHECK (grade IN ('A', 'B', 'C', 'D')),
    disciplined   boolean NOT NULL,
    months_counted integer NOT NULL,
    months_exempt integer NOT NULL,
    rule_set      text NOT NULL,
    approved_by   text NOT NULL,
    approved_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period, cadre_code)
);
CREATE INDEX period_results_unit ON period_results (period, unit_code);
CREATE TRIGGER period_results_no_change BEFORE UPDATE OR DELETE ON period_results
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
