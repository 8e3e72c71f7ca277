-- Bulk creations split over several connections (one backend per core) commit with
-- two-phase commit: every part is prepared (PREPARE TRANSACTION), then committed. The
-- first part carries this row, so once it commits the operation is decided: a part left
-- prepared by a service that died is committed when its operation's row exists, and
-- rolled back when it does not (see WorkflowEngine.resolveInDoubtBulkParts).
CREATE TABLE workflow_bulk_operations (
    id         text PRIMARY KEY,
    workflow   text NOT NULL,
    parts      integer NOT NULL CHECK (parts >= 1),
    actor      text NOT NULL,
    request_id text,
    at         timestamptz NOT NULL
);
