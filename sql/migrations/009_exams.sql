-- Competitive examinations for leadership posts (mission.md section 2). An exam is an
-- `exam` workflow instance keyed `exam/<code>`; its terms (post, unit, level, minimum,
-- weight, pass mark) are the instance data. These tables hold its candidates, the
-- anonymous paper codes, the marks as imported, and who saw the key before the reveal.

-- One row per registration: the automatic checks as they were at registration, the
-- organizer's ruling, and the results once known (written only after the reveal).
CREATE TABLE exam_candidates (
    exam           text NOT NULL,
    cadre_code     text NOT NULL REFERENCES cadres (code),
    registered_at  timestamptz NOT NULL,
    registered_by  text NOT NULL,
    checks         text NOT NULL,
    checks_passed  boolean NOT NULL,
    eligible       boolean,
    ruling_reason  text,
    overridden     boolean NOT NULL DEFAULT false,
    ruled_by       text,
    ruled_at       timestamptz,
    absent         boolean NOT NULL DEFAULT false,
    defense        numeric(5, 2) CHECK (defense BETWEEN 0 AND 100),
    total          numeric(5, 2) CHECK (total BETWEEN 0 AND 100),
    rank           int CHECK (rank >= 1),
    passed         boolean,
    PRIMARY KEY (exam, cadre_code),
    CHECK (eligible IS NOT false OR ruling_reason IS NOT NULL),
    CHECK (NOT overridden OR ruling_reason IS NOT NULL)
);
CREATE INDEX exam_candidates_cadre ON exam_candidates (cadre_code);

-- The key ("phách"): which paper code is whose. Codes are random and unique across exams.
CREATE TABLE exam_papers (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$'),
    exam        text NOT NULL,
    cadre_code  text NOT NULL,
    UNIQUE (exam, cadre_code),
    FOREIGN KEY (exam, cadre_code) REFERENCES exam_candidates (exam, cadre_code)
);
CREATE INDEX exam_papers_exam ON exam_papers (exam, code);

-- One round's upload: a file sent twice (same round, same bytes) is recognised.
CREATE TABLE exam_imports (
    id           bigserial PRIMARY KEY,
    round        text NOT NULL CHECK (round IN ('written', 'defense')),
    digest       text NOT NULL,
    rows         int NOT NULL,
    stored       int NOT NULL,
    imported_by  text NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (round, digest)
);

-- Written marks by paper code, as the markers gave them: never changed once stored. The
-- import's set-based checks admit only papers of the exam (papers are never deleted), so
-- the per-row foreign-key checks are left out: they were half the cost of a 100,000-row file.
CREATE TABLE exam_written_marks (
    paper      text PRIMARY KEY,
    exam       text NOT NULL,
    score      numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    import_id  bigint NOT NULL
);

-- The exams whose names are joined to their marks (every paper marked), with the pass
-- mark of the written round. Until its row is here, nothing joins an exam's marks to names.
CREATE TABLE exam_reveals (
    exam         text PRIMARY KEY,
    pass_mark    numeric(5, 2) NOT NULL,
    revealed_at  timestamptz NOT NULL
);

-- The written results of revealed exams: the one way marks meet candidates.
CREATE VIEW exam_written_results AS
    SELECT p.exam, p.cadre_code, m.score AS written, m.score >= r.pass_mark AS passed_written
    FROM exam_reveals r JOIN exam_papers p ON p.exam = r.exam JOIN exam_written_marks m ON m.paper = p.code;

-- Each council member's defense score of a candidate: never changed once stored.
CREATE TABLE exam_defense_scores (
    exam        text NOT NULL,
    cadre_code  text NOT NULL,
    member      text NOT NULL CHECK (length(member) BETWEEN 1 AND 200),
    score       numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    import_id   bigint NOT NULL,
    PRIMARY KEY (exam, cadre_code, member),
    FOREIGN KEY (exam, cadre_code) REFERENCES exam_candidates (exam, cadre_code)
);

-- Every sight of the key before the reveal (EXAM KEY): who, when, why. Never the key itself.
CREATE TABLE exam_key_disclosures (
    id          bigserial PRIMARY KEY,
    exam        text NOT NULL,
    login       text NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    papers      int NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER exam_written_marks_no_change BEFORE UPDATE OR DELETE ON exam_written_marks
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER exam_defense_scores_no_change BEFORE UPDATE OR DELETE ON exam_defense_scores
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER exam_reveals_no_change BEFORE UPDATE OR DELETE ON exam_reveals
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER exam_papers_no_change BEFORE UPDATE OR DELETE ON exam_papers
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER exam_key_disclosures_no_change BEFORE UPDATE OR DELETE ON exam_key_disclosures
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();

-- Exams of a unit (LIST, REPORT EXAMS).
CREATE INDEX exam_unit ON workflow_instances ((data->>'unit')) WHERE workflow = 'exam';
