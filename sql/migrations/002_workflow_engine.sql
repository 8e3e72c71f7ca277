-- The workflow engine: definitions, instances, history, timers, idempotency, schedules.

-- Every definition version the service has run, so instances finish on the version they began with.
CREATE TABLE workflow_definitions (
    name          text NOT NULL,
    version       integer NOT NULL CHECK (version >= 1),
    checksum      text NOT NULL,
    body          jsonb NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);

-- The current state of each instance. `version` is the optimistic-concurrency counter:
-- every transition increments it.
CREATE TABLE workflow_instances (
    id                 bigserial PRIMARY KEY,
    workflow           text NOT NULL,
    definition_version integer NOT NULL,
    key                text NOT NULL UNIQUE,
    state              text NOT NULL,
    version            bigint NOT NULL DEFAULT 1,
    data               jsonb NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 80);
-- fillfactor: room on each page lets a transition update its row in place (a HOT update,
-- no index entries to add), which is most of the cost of a transition.

-- Append-only history: one row per creation and per transition. `seq` is the instance
-- version the row produced (1 = creation), so (instance_id, seq) orders and identifies it.
CREATE TABLE workflow_history (
    instance_id bigint NOT NULL,
    seq         bigint NOT NULL,
    transition  text NOT NULL,
    from_state  text,
    to_state    text NOT NULL,
    actor       text NOT NULL,
    role        text NOT NULL,
    reason      text,
    payload     jsonb,
    request_id  text,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance_id, seq)
);

-- Refuses any change to an append-only table (history, audit trail).
CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER workflow_history_no_change BEFORE UPDATE OR DELETE ON workflow_history
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER workflow_history_no_truncate BEFORE TRUNCATE ON workflow_history
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- Durable timers: fire `transition` on the instance at `due_at`. Leaving the state that
-- armed a timer deletes it in the same transaction.
CREATE TABLE workflow_timers (
    id            bigserial PRIMARY KEY,
    instance_id   bigint NOT NULL,
    transition    text NOT NULL,
    due_at        timestamptz NOT NULL,
    armed_version bigint NOT NULL
);
CREATE INDEX workflow_timers_due ON workflow_timers (due_at);
CREATE INDEX workflow_timers_instance ON workflow_timers (instance_id);

-- What became of fired timers that could not move their instance.
CREATE TABLE workflow_timer_log (
    timer_id    bigint NOT NULL,
    instance_id bigint NOT NULL,
    transition  text NOT NULL,
    due_at      timestamptz NOT NULL,
    outcome     text NOT NULL,
    detail      text,
    at          timestamptz NOT NULL DEFAULT now()
);

-- First results of transitions sent with an idempotency key.
CREATE TABLE workflow_idempotency (
    key         text PRIMARY KEY,
    instance_id bigint NOT NULL,
    outcome     jsonb NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);

-- Calendar schedules: when each was first seen, and one row per period that ran
-- (or was skipped): the primary key makes every period run once.
CREATE TABLE schedules (
    name          text PRIMARY KEY,
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE schedule_runs (
    schedule    text NOT NULL,
    period      text NOT NULL,
    status      text NOT NULL CHECK (status IN ('ran', 'skipped')),
    due_at      timestamptz NOT NULL,
    ran_at      timestamptz NOT NULL DEFAULT now(),
    trigger     text NOT NULL,
    detail      text,
    PRIMARY KEY (schedule, period)
);
