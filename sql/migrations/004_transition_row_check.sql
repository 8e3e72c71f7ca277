-- A transition's UPDATE names the version it expects each instance to be at. This
-- function fails the statement (and so the transaction, before its COMMIT) when fewer
-- instances matched than were expected: another writer moved one first. SQLSTATE 40001
-- (serialization_failure) marks it as retryable.
CREATE FUNCTION workflow_expect_rows(actual bigint, expected bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    IF actual <> expected THEN
        RAISE EXCEPTION 'an instance changed under this transition (% of % at the expected version)', actual, expected
            USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN actual;
END
$$;
