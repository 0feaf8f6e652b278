-- A final decision's reviewers with the role and agency each decided in (issue 11: decisions carry the
-- reviewer's role and agency into what is pushed). decided_by keeps the subjects, as before; decisions
-- taken before this column existed get their subjects with role and agency unknown (null).
ALTER TABLE conflicts ADD COLUMN decided_reviewers jsonb;
UPDATE conflicts c
   SET decided_reviewers = (
     SELECT jsonb_agg(jsonb_build_object('subject', s.subject, 'role', NULL, 'agency', NULL) ORDER BY s.n)
       FROM unnest(c.decided_by) WITH ORDINALITY AS s(subject, n))
 WHERE c.decided_by IS NOT NULL;
