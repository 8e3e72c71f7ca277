-- The monthly assessment: finding a month's assessments of a unit (reports, approval,
-- quota counts) without scanning every instance, and the units marked outstanding for
-- a month (their quota share is the rule set's outstanding one).

CREATE INDEX assessment_month_unit ON workflow_instances ((data->>'month'), (data->>'unit'))
    WHERE workflow = 'assessment';
CREATE INDEX assessment_cycle ON workflow_instances ((data->>'cycle'))
    WHERE workflow = 'assessment';
CREATE INDEX cycle_month ON workflow_instances ((data->>'month'))
    WHERE workflow = 'monthly_cycle';

CREATE TABLE assessment_outstanding_units (
    month     text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    unit_code text NOT NULL REFERENCES units (code),
    marked_by text NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (month, unit_code)
);
