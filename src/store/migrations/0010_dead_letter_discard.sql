-- A dead letter an administrator decided not to replay (issue 12, step 7): discarded with the reason, who
-- and when, never deleted. A discarded letter is not replayed, and a replayed one is not discarded.
ALTER TABLE dead_letters
  ADD COLUMN discarded_at   timestamptz,
  ADD COLUMN discarded_by   text,
  ADD COLUMN discard_reason text,
  ADD CONSTRAINT dead_letters_discard_check CHECK (
    (discarded_at IS NULL) = (discarded_by IS NULL) AND (discarded_at IS NULL) = (discard_reason IS NULL)
    AND (discarded_at IS NULL OR replayed_at IS NULL));
