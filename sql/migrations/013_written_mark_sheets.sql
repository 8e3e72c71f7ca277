-- Written marks stored as mark sheets: one row per exam and import holding that file's
-- papers and marks of the exam, in the file's order, each mark in hundredths (75.5 is
-- 7550: an array of smallint is read three times faster than one of numeric). A results file of 100,000 marks
-- over 1,000 exams is 1,000 rows, not 100,000 index entries: the per-mark primary key
-- was two thirds of an import's database time (OPERATIONS.md › Benchmarks).
--
-- One mark per paper is the import's rule, checked under the lock of the exam's instance
-- (every import of an exam locks it first) against the sheets already stored, and the
-- statement trigger below refuses a sheet that marks a paper twice or marks a paper of
-- an earlier sheet. Sheets are append-only like the marks were.

CREATE TABLE exam_written_mark_sheets (
    exam       text NOT NULL,
    import_id  bigint NOT NULL,
    papers     text[] NOT NULL,
    hundredths smallint[] NOT NULL,
    PRIMARY KEY (exam, import_id),
    CHECK (cardinality(papers) > 0 AND cardinality(papers) = cardinality(hundredths)),
    CHECK (0 <= ALL (hundredths) AND 10000 >= ALL (hundredths) AND array_position(hundredths, NULL) IS NULL),
    CHECK (array_position(papers, NULL) IS NULL)
);

INSERT INTO exam_written_mark_sheets (exam, import_id, papers, hundredths)
    SELECT exam, import_id, array_agg(paper ORDER BY paper), array_agg((score * 100)::smallint ORDER BY paper)
    FROM exam_written_marks GROUP BY exam, import_id;

DROP VIEW exam_written_results;
DROP TABLE exam_written_marks;

-- The marks one per row, as before: every reader keeps its shape. Join it on exam and
-- paper, so that the exam reaches the sheets' primary key.
CREATE VIEW exam_written_marks AS
    SELECT s.exam, m.paper, (m.hundredths::numeric / 100)::numeric(5, 2) AS score, s.import_id
    FROM exam_written_mark_sheets s CROSS JOIN LATERAL unnest(s.papers, s.hundredths) AS m (paper, hundredths);

CREATE VIEW exam_written_results AS
    SELECT p.exam, p.cadre_code, m.score AS written, m.score >= r.pass_mark AS passed_written
    FROM exam_reveals r JOIN exam_papers p ON p.exam = r.exam
    JOIN exam_written_marks m ON m.exam = p.exam AND m.paper = p.code;

-- A paper marked once: within a sheet, and across the sheets of its exam.
CREATE FUNCTION refuse_paper_marked_twice() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    twice text;
BEGIN
    SELECT m.paper INTO twice
    FROM (SELECT DISTINCT exam FROM new_sheets) e
    JOIN exam_written_mark_sheets s ON s.exam = e.exam
    CROSS JOIN LATERAL unnest(s.papers) AS m (paper)
    GROUP BY s.exam, m.paper HAVING count(*) > 1 LIMIT 1;
    IF twice IS NOT NULL THEN
        RAISE EXCEPTION 'paper % has a written mark already: marks never change', twice USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER exam_written_mark_sheets_once AFTER INSERT ON exam_written_mark_sheets
    REFERENCING NEW TABLE AS new_sheets FOR EACH STATEMENT EXECUTE FUNCTION refuse_paper_marked_twice();
CREATE TRIGGER exam_written_mark_sheets_no_change BEFORE UPDATE OR DELETE ON exam_written_mark_sheets
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cadreflow_service') THEN
        GRANT SELECT, INSERT ON exam_written_mark_sheets TO cadreflow_service;
        REVOKE UPDATE, DELETE, TRUNCATE ON exam_written_mark_sheets FROM cadreflow_service;
        GRANT SELECT ON exam_written_marks, exam_written_results TO cadreflow_service;
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON exam_written_marks, exam_written_results FROM cadreflow_service;
    END IF;
END $$;
