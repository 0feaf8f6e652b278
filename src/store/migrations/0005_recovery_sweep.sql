-- Issue 10 (defects 3 and 4). The store is the system of record: work it has accepted and no stage has
-- finished is found here and queued again by the recovery sweep (src/queue/sweeper.ts), so losing Redis
-- loses no work; and every job that ends failed leaves one dead letter.
--
-- "Finished" is a column on the work's own row, written by the job that finishes it in the same statement
-- that records its job key (src/store/repositories/processed-jobs.ts), so no statement is added per
-- record. Each source has a partial index holding only its unfinished rows: a sweep reads those, never the
-- finished bulk of a back-fill.

-- Events accepted at POST /v1/oasys/events, stored before the 202; ingested_at is set by the pull job.
CREATE TABLE oasys_events (
  event_id      text PRIMARY KEY,
  crn           text NOT NULL,
  assessment_pk bigint NOT NULL,
  received_at   timestamptz NOT NULL,
  ingested_at   timestamptz
);
CREATE INDEX oasys_events_unfinished_idx ON oasys_events (received_at, event_id) WHERE ingested_at IS NULL;

-- Job keys recorded so far, by the work they were for (a replay's key without its ':replay-<n>' suffixes).
CREATE TEMPORARY TABLE recovery_processed_work ON COMMIT DROP AS
  SELECT regexp_replace(job_key, '(:replay-[0-9]+)+$', '') AS work_key, min(processed_at) AS processed_at
    FROM processed_jobs GROUP BY 1;

-- When an ingest job finished with the export (its assessments saved, or its failure dead-lettered); null
-- until then. A JSON bundle is saved with its assessments at intake, so it is ingested on arrival.
ALTER TABLE raw_exports ADD COLUMN ingested_at timestamptz;
UPDATE raw_exports r SET ingested_at = p.processed_at
  FROM recovery_processed_work p WHERE p.work_key = 'ingest:oasys-export:' || r.id::text;
UPDATE raw_exports SET ingested_at = received_at
  WHERE ingested_at IS NULL AND source = 'http:application/json';
CREATE INDEX raw_exports_unfinished_idx ON raw_exports (received_at, id) WHERE ingested_at IS NULL;

-- The highest stored version a reconcile job has finished for (null: none). Unfinished while below version.
ALTER TABLE oasys_assessments ADD COLUMN reconciled_version integer;
UPDATE oasys_assessments o SET reconciled_version = LEAST(o.version, p.revision)
  FROM (SELECT split_part(work_key, ':', 3)::bigint AS pk, max(split_part(work_key, ':', 4)::integer) AS revision
          FROM recovery_processed_work WHERE work_key ~ '^reconcile:OASYS:[0-9]{1,18}:[0-9]{1,9}$' GROUP BY 1) p
 WHERE p.pk = o.assessment_pk;
CREATE INDEX oasys_assessments_unfinished_idx ON oasys_assessments (ingested_at, assessment_pk)
  WHERE reconciled_version IS NULL OR reconciled_version < version;

-- The same for the current ARMS revision.
ALTER TABLE arms_current ADD COLUMN reconciled_revision integer;
UPDATE arms_current c SET reconciled_revision = LEAST(c.revision, p.revision)
  FROM (SELECT substring(work_key FROM '^reconcile:ARMS:(.+):[0-9]{1,9}$') AS id,
               max(substring(work_key FROM ':([0-9]{1,9})$')::integer) AS revision
          FROM recovery_processed_work WHERE work_key ~ '^reconcile:ARMS:.+:[0-9]{1,9}$' GROUP BY 1) p
 WHERE p.id = c.arms_assessment_id;
CREATE INDEX arms_current_unfinished_idx ON arms_current (updated_at, arms_assessment_id)
  WHERE reconciled_revision IS NULL OR reconciled_revision < revision;

-- Dead letters name their job key (subject.jobKey) and the work it was for (work_key: the job key without
-- replay suffixes). One letter per stage and job key: a job that fails after its processor wrote a letter,
-- or that two observers see fail, gets no second one. A key lettered twice before this migration keeps
-- its first letter keyed; the later ones stay, unkeyed.
ALTER TABLE dead_letters ADD COLUMN job_key text;
ALTER TABLE dead_letters ADD COLUMN work_key text;
UPDATE dead_letters SET work_key = regexp_replace(subject->>'jobKey', '(:replay-[0-9]+)+$', '')
  WHERE subject->>'jobKey' IS NOT NULL;
UPDATE dead_letters d SET job_key = d.subject->>'jobKey'
  WHERE d.subject->>'jobKey' IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM dead_letters e
                     WHERE e.stage = d.stage AND e.subject->>'jobKey' = d.subject->>'jobKey'
                       AND (e.created_at, e.id) < (d.created_at, d.id));
CREATE UNIQUE INDEX dead_letters_job_key ON dead_letters (stage, job_key) WHERE job_key IS NOT NULL;
CREATE INDEX dead_letters_work_idx ON dead_letters (work_key, created_at DESC) WHERE work_key IS NOT NULL;
