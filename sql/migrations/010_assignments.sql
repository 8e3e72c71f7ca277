-- Rotation, transfer, secondment and position-change assignments (mission.md section 3).
-- An assignment is an `assignment` workflow instance keyed `assignment/A<n>`. Its number
-- is taken from this one-row counter inside the proposal's transaction, so a refused
-- proposal uses none and the numbers have no gaps. The checks find a cadre's other
-- assignments by the cadre.

CREATE TABLE assignment_numbers (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last      bigint NOT NULL
);
INSERT INTO assignment_numbers (last) VALUES (0);

CREATE INDEX assignment_cadre ON workflow_instances ((data->>'cadre')) WHERE workflow = 'assignment';
