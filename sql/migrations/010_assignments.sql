-- Rotation, transfer, secondment and position-change assignments (mission.md section 3).
-- An assignment is an `assignment` workflow instance keyed `assignment/A<n>`; its numbers
-- come from this sequence. The checks find a cadre's other assignments by the cadre.

CREATE SEQUENCE assignment_numbers;

CREATE INDEX assignment_cadre ON workflow_instances ((data->>'cadre')) WHERE workflow = 'assignment';
