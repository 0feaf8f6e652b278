-- Step 4: what the outbox needs for per-person ordering and corrections (docs/service.md "Guarantees").
-- 0002 created the table; this adds, without touching 0002:
-- - person_version: the persons.version of the reconciliation that wrote the row. A push is never made
--   when a newer row (higher version) exists for the same person, recipient and kind: it is SUPERSEDED.
-- - sources: what the message was built from ({oasys: {assessmentPk, storedVersion, digest}, arms:
--   {armsAssessmentId, revision, digest}, mappingVersion}), ids and digests only, so a later
--   reconciliation can tell that a DELIVERED record's source has since been corrected (rule PU-3).
-- - corrects_key: on a CORRECTION_NOTICE, the idempotency key of the delivery it corrects.

ALTER TABLE outbox ADD COLUMN person_version bigint NOT NULL DEFAULT 0 CHECK (person_version >= 0);
ALTER TABLE outbox ADD COLUMN sources jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE outbox ADD COLUMN corrects_key text REFERENCES outbox (idempotency_key);
ALTER TABLE outbox ADD CONSTRAINT outbox_correction_refers
  CHECK ((kind = 'CORRECTION_NOTICE') = (corrects_key IS NOT NULL));

ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
  CHECK (state IN ('PENDING', 'IN_FLIGHT', 'DELIVERED', 'DEAD', 'SUPERSEDED'));

-- "Is there a newer row?" and "what was last delivered?" for one person, recipient and kind.
CREATE INDEX outbox_person_order_idx ON outbox (person_id, recipient, kind, person_version DESC);
-- Claims in flight (one per person and recipient at a time); expired leases are due again.
CREATE INDEX outbox_in_flight_idx ON outbox (person_id, recipient, claimed_until) WHERE state = 'IN_FLIGHT';
-- GET /v1/deliveries: newest first, keyset paging.
CREATE INDEX outbox_listing_idx ON outbox (created_at DESC, id DESC);
