-- Issue 11: retention (mappings/retention.yaml, src/store/repositories/retention.ts). Two classes are
-- erased by emptying a column rather than deleting the row, because the row is still needed:
-- - a raw export's bytes: the row (content hash, size, source, times) keeps recognising the same bytes
--   posted again, and the assessments stored from it still name it;
-- - a delivered (or superseded) outbox row's body: the row, its idempotency key, sources and attempts are
--   the record of the disclosure and what a correction notice refers to.
-- The time of erasure says which rows were emptied; the partial indexes hold only rows still due a check.

ALTER TABLE raw_exports ADD COLUMN content_erased_at timestamptz;
ALTER TABLE raw_exports ADD CONSTRAINT raw_exports_erased_empty
  CHECK (content_erased_at IS NULL OR octet_length(content) = 0);
CREATE INDEX raw_exports_retention_idx ON raw_exports (received_at) WHERE content_erased_at IS NULL;

ALTER TABLE outbox ADD COLUMN body_erased_at timestamptz;
ALTER TABLE outbox ADD CONSTRAINT outbox_erased_empty CHECK (body_erased_at IS NULL OR body = '');
CREATE INDEX outbox_retention_idx ON outbox (created_at)
  WHERE body_erased_at IS NULL AND state IN ('DELIVERED', 'SUPERSEDED');
