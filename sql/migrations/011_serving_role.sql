-- Least privilege: the service serves as `cadreflow_service`, not as the schema owner.
-- It may read and write the working tables, but only read and append to the history and
-- audit tables (no UPDATE, DELETE or TRUNCATE: privileges, beside the append-only
-- triggers), and, not owning any table, it cannot drop or disable their triggers.
-- Migrations keep running as the owner. Where the migrating role may not create roles
-- (an external server), the role is left to the administrator (docs/OPERATIONS.md) and
-- the grants below apply once it exists (run `cadreflow migrate` again, or grant by hand).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cadreflow_service') THEN
        CREATE ROLE cadreflow_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
EXCEPTION
    WHEN duplicate_object THEN NULL;          -- created at the same moment by another database's migration
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot create the role cadreflow_service here; create it and grant as docs/OPERATIONS.md says';
END $$;

-- ANALYZE of the tables a large write changes at once, for a role that does not own them.
CREATE FUNCTION analyze_table(name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF name NOT IN ('workflow_instances', 'exam_written_marks', 'exam_defense_scores') THEN
        RAISE EXCEPTION 'analyze_table: % is not a table the service analyses', name;
    END IF;
    EXECUTE format('ANALYZE %I', name);
END $$;
REVOKE ALL ON FUNCTION analyze_table(text) FROM PUBLIC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cadreflow_service') THEN
        EXECUTE 'GRANT CONNECT, TEMPORARY ON DATABASE ' || quote_ident(current_database()) || ' TO cadreflow_service';
        GRANT USAGE ON SCHEMA public TO cadreflow_service;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cadreflow_service;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO cadreflow_service;
        REVOKE UPDATE, DELETE, TRUNCATE ON
            audit_log, workflow_history, workflow_timer_log, unit_events, unit_lineage, cadre_discipline, period_results,
            exam_papers, exam_written_marks, exam_defense_scores, exam_reveals, exam_key_disclosures
        FROM cadreflow_service;
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM cadreflow_service;
        GRANT EXECUTE ON FUNCTION analyze_table(text) TO cadreflow_service;
        -- Tables and sequences of later migrations get the working grants too; a later
        -- append-only table revokes UPDATE and DELETE in its own migration.
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cadreflow_service;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO cadreflow_service;
    END IF;
END $$;
