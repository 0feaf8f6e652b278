-- Large documents (12-25 KB each per record: canonical OASys assessments, ARMS drafts, outbox bodies, raw
-- exports) are compressed with lz4 instead of the default pglz when they are written: measured on this
-- project's drafts, writing them costs PostgreSQL less than half the CPU (2,000 drafts: 1,030 ms with
-- pglz, 446 ms with lz4), for a similar size. Only values written from now on are affected; both read
-- back the same. A server built without lz4 (e.g. the embedded PGlite) keeps pglz.
DO $$
BEGIN
  ALTER TABLE raw_exports ALTER COLUMN content SET COMPRESSION lz4;
  ALTER TABLE oasys_assessments ALTER COLUMN canonical SET COMPRESSION lz4;
  ALTER TABLE arms_revisions ALTER COLUMN document SET COMPRESSION lz4;
  ALTER TABLE drafts ALTER COLUMN draft SET COMPRESSION lz4;
  ALTER TABLE outbox ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END
$$;
