-- Step 4 room, created now and empty: the transactional outbox, delivery attempts with receipts,
-- dead letters and processed-job keys. A reconciliation writes its outbox rows in the same transaction as
-- its conflicts and drafts; a dispatcher claims due rows, delivers them, and records every attempt.

CREATE TABLE outbox (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id       uuid REFERENCES persons (id),
  recipient       text NOT NULL CHECK (recipient IN ('ARMS', 'OASYS')),
  kind            text NOT NULL CHECK (kind IN ('ARMS_DRAFT', 'PARTNER_RISK_UPDATE', 'CORRECTION_NOTICE')),
  -- Stable for one logical record and revision; sent as the Idempotency-Key header.
  idempotency_key text NOT NULL UNIQUE,
  content_type    text NOT NULL,
  body            text NOT NULL,
  correlation_id  text,
  state           text NOT NULL DEFAULT 'PENDING'
                  CHECK (state IN ('PENDING', 'IN_FLIGHT', 'DELIVERED', 'DEAD')),
  attempts        integer NOT NULL DEFAULT 0,
  available_at    timestamptz NOT NULL,
  claimed_by      text,
  claimed_until   timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (available_at) WHERE state = 'PENDING';
CREATE INDEX outbox_person_idx ON outbox (person_id, created_at);

-- Every delivery attempt of an outbox row, with the recipient's receipt when it gave one.
CREATE TABLE deliveries (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id    uuid NOT NULL REFERENCES outbox (id),
  attempt      integer NOT NULL CHECK (attempt >= 1),
  outcome      text NOT NULL
               CHECK (outcome IN ('DELIVERED', 'ALREADY_HELD', 'RETRY', 'PERMANENT_FAILURE', 'TIMEOUT')),
  http_status  integer,
  receipt      jsonb,
  error_code   text,
  latency_ms   integer,
  at           timestamptz NOT NULL,
  UNIQUE (outbox_id, attempt)
);

-- Work that failed permanently, with the reason, for a person to look at and replay.
CREATE TABLE dead_letters (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  stage          text NOT NULL CHECK (stage IN ('INGEST', 'RECONCILE', 'PUSH')),
  -- Ids only (export id, assessment pk, ARMS id + revision, outbox id): never personal data.
  subject        jsonb NOT NULL,
  error_code     text NOT NULL,
  reason         text NOT NULL,
  attempts       integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL,
  replayed_at    timestamptz,
  replay_count   integer NOT NULL DEFAULT 0
);
CREATE INDEX dead_letters_open_idx ON dead_letters (stage, created_at) WHERE replayed_at IS NULL;

-- Job idempotency: a job key derived from (source, record, revision) is processed at most once.
CREATE TABLE processed_jobs (
  job_key      text PRIMARY KEY,
  queue        text NOT NULL,
  outcome      jsonb NOT NULL DEFAULT '{}'::jsonb,
  processed_at timestamptz NOT NULL
);
