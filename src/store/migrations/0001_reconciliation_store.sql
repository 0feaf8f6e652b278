-- Step 3: the reconciliation store. Raw exports, canonical OASys assessments, ARMS revisions, persons and
-- matches, drafts, conflicts and their decision history. One dialect: PostgreSQL 15 and PGlite alike.
-- Timestamps are timestamptz (sessions run in UTC); documents are jsonb; ids that leave the system are uuids.

-- Raw bytes as received, stored once per content: a re-posted identical export is recognised by its hash.
CREATE TABLE raw_exports (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  content_sha256 text NOT NULL UNIQUE CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  content        bytea NOT NULL,
  byte_length    bigint NOT NULL CHECK (byte_length >= 0),
  source         text NOT NULL CHECK (source <> ''),
  received_at    timestamptz NOT NULL
);

-- Canonical OASys assessments (oasys-canonical/1), one row per assessment pk, the latest accepted version.
-- crn/pnc are the canonical identifiers (null when absent or invalid) for matching; date_completed is the
-- OASys local completion time converted to an instant. source_as_of orders versions of the same pk.
CREATE TABLE oasys_assessments (
  assessment_pk          bigint PRIMARY KEY,
  export_id              uuid REFERENCES raw_exports (id),
  source_kind            text NOT NULL CHECK (source_kind IN ('XML_EXPORT', 'ORDS_PULL')),
  source_as_of           timestamptz NOT NULL,
  crn                    text,
  pnc                    text,
  status                 text NOT NULL CHECK (status IN ('OPEN', 'COMPLETE', 'LOCKED_INCOMPLETE')),
  date_completed         timestamptz,
  later_complete_exists  boolean,
  canonical              jsonb NOT NULL,
  content_sha256         text NOT NULL,
  version                integer NOT NULL DEFAULT 1,
  first_ingested_at      timestamptz NOT NULL,
  ingested_at            timestamptz NOT NULL
);
CREATE INDEX oasys_assessments_pnc_idx ON oasys_assessments (pnc, date_completed DESC) WHERE pnc IS NOT NULL;
CREATE INDEX oasys_assessments_crn_idx ON oasys_assessments (crn, date_completed DESC) WHERE crn IS NOT NULL;
CREATE INDEX oasys_assessments_export_idx ON oasys_assessments (export_id);

-- Every ARMS revision ever received (history), immutable once stored.
CREATE TABLE arms_revisions (
  arms_assessment_id text NOT NULL,
  revision           integer NOT NULL CHECK (revision >= 0),
  force              text NOT NULL,
  status             text NOT NULL CHECK (status IN ('DRAFT', 'COMPLETE')),
  assessed_on        date NOT NULL,
  crn                text,
  pnc                text,
  document           jsonb NOT NULL,
  content_sha256     text NOT NULL,
  received_at        timestamptz NOT NULL,
  PRIMARY KEY (arms_assessment_id, revision)
);
CREATE INDEX arms_revisions_pnc_idx ON arms_revisions (pnc) WHERE pnc IS NOT NULL;
CREATE INDEX arms_revisions_crn_idx ON arms_revisions (crn) WHERE crn IS NOT NULL;

-- The current revision of each ARMS assessment. Only ever moved forward, in one statement:
-- INSERT .. ON CONFLICT DO UPDATE .. WHERE excluded.revision > arms_current.revision.
CREATE TABLE arms_current (
  arms_assessment_id text PRIMARY KEY,
  revision           integer NOT NULL,
  previous_revision  integer,
  updated_at         timestamptz NOT NULL,
  FOREIGN KEY (arms_assessment_id, revision) REFERENCES arms_revisions (arms_assessment_id, revision)
);

-- A person as the bridge knows them: canonical PNC and/or CRN, each unique where present.
CREATE TABLE persons (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pnc         text,
  crn         text,
  force       text,
  -- Bumped by every reconciliation of the person (step 4 orders per-person updates on it).
  version     integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  CHECK (pnc IS NOT NULL OR crn IS NOT NULL)
);
CREATE UNIQUE INDEX persons_pnc_key ON persons (pnc) WHERE pnc IS NOT NULL;
CREATE UNIQUE INDEX persons_crn_key ON persons (crn) WHERE crn IS NOT NULL;

-- Every identity match evaluated for a person (append-only; the latest is the one in force).
CREATE TABLE person_matches (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id          uuid NOT NULL REFERENCES persons (id),
  assessment_pk      bigint REFERENCES oasys_assessments (assessment_pk),
  arms_assessment_id text,
  arms_revision      integer,
  status             text NOT NULL CHECK (status IN ('MATCHED', 'MISMATCH', 'NO_MATCH', 'AMBIGUOUS')),
  details            jsonb NOT NULL,
  evaluated_at       timestamptz NOT NULL,
  FOREIGN KEY (arms_assessment_id, arms_revision) REFERENCES arms_revisions (arms_assessment_id, revision)
);
CREATE INDEX person_matches_person_idx ON person_matches (person_id, evaluated_at DESC, id DESC);

-- ARMS drafts pre-filled from one OASys assessment under one mapping version.
CREATE TABLE drafts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id       uuid REFERENCES persons (id),
  assessment_pk   bigint NOT NULL REFERENCES oasys_assessments (assessment_pk),
  mapping_version text NOT NULL,
  draft           jsonb NOT NULL,
  content_sha256  text NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  UNIQUE (assessment_pk, mapping_version)
);
CREATE INDEX drafts_person_idx ON drafts (person_id) WHERE person_id IS NOT NULL;

-- Conflicts between the two agencies' judgements, one live (OPEN/ACKNOWLEDGED) row per person and fingerprint.
CREATE TABLE conflicts (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id       uuid NOT NULL REFERENCES persons (id),
  fingerprint     text NOT NULL,
  rule_id         text NOT NULL,
  severity        text NOT NULL CHECK (severity IN ('BLOCK', 'WARN', 'INFO')),
  state           text NOT NULL CHECK (state IN ('OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'DISMISSED', 'CLOSED')),
  explanation     text NOT NULL,
  evidence        jsonb NOT NULL,
  evidence_sha256 text NOT NULL,
  -- Four-eyes: the first reviewer's pending approval of a BLOCK conflict, awaiting a second reviewer.
  pending_approval jsonb,
  decision        text,
  rationale       text,
  decided_by      text[],
  decided_at      timestamptz,
  opened_at       timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  closed_at       timestamptz,
  closed_reason   text,
  CHECK ((state = 'CLOSED') = (closed_reason IS NOT NULL))
);
CREATE UNIQUE INDEX conflicts_live_fingerprint_key ON conflicts (person_id, fingerprint)
  WHERE state IN ('OPEN', 'ACKNOWLEDGED');
CREATE INDEX conflicts_person_idx ON conflicts (person_id, fingerprint, opened_at DESC);
CREATE INDEX conflicts_listing_idx ON conflicts (opened_at DESC, id DESC);
CREATE INDEX conflicts_rule_state_idx ON conflicts (rule_id, state);
CREATE INDEX conflicts_severity_state_idx ON conflicts (severity, state);

-- Append-only history of each conflict: raised, refreshed, acknowledged, approved, resolved, dismissed, closed.
CREATE TABLE conflict_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conflict_id uuid NOT NULL REFERENCES conflicts (id),
  action      text NOT NULL,
  from_state  text,
  to_state    text NOT NULL,
  decision    text,
  rationale   text,
  actor       text NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  at          timestamptz NOT NULL
);
CREATE INDEX conflict_events_conflict_idx ON conflict_events (conflict_id, id);

-- Who did what to which record, for the agencies' accountability (DPA 2018 Part 3 logging).
CREATE TABLE audit_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             timestamptz NOT NULL,
  actor          text NOT NULL,
  action         text NOT NULL CHECK (action ~ '^[A-Z][A-Z_]*$'),
  subject_type   text NOT NULL,
  subject_id     text NOT NULL,
  person_id      uuid,
  correlation_id text,
  details        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_type, subject_id, at);
CREATE INDEX audit_events_person_idx ON audit_events (person_id, at) WHERE person_id IS NOT NULL;
CREATE INDEX audit_events_correlation_idx ON audit_events (correlation_id) WHERE correlation_id IS NOT NULL;

-- History tables are append-only: the database itself refuses updates and deletes.
CREATE FUNCTION refuse_change_to_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER conflict_events_append_only BEFORE UPDATE OR DELETE ON conflict_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history();
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history();
