-- Statistics of the assessments' month, unit and cycle for the planner.
--
-- The indexes of 007 are partial (WHERE workflow = 'assessment'), and the planner takes
-- expression statistics from whole-table indexes only: without these objects it guessed
-- that any month held 0.5% of the rows. A city's month (a million rows, the whole table)
-- was then read through the index row by row, where one parallel scan takes a quarter of
-- the time (REPORT PROGRESS of 1,000,000: 0.8 s before, see OPERATIONS.md › Benchmarks).
-- ANALYZE fills them (the month opening analyses the table). PostgreSQL 14 or later.
CREATE STATISTICS workflow_instances_month_unit ON (data->>'month'), (data->>'unit') FROM workflow_instances;
CREATE STATISTICS workflow_instances_cycle ON (data->>'cycle') FROM workflow_instances;
