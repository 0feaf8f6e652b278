-- Issue 11: the audit trail as a hash chain (DPA 2018 Part 3, s.62 logging), and retention.
--
-- audit_events (0001) gains what s.62 asks each entry to say and what makes the log tamper-evident:
-- seq (the chain's gap-free order), category, the actor's role and agency, every subject it is about
-- (typed ids), the source records and versions it used, a justification, and prev_hash/hash. The hash is
-- SHA-256 over the RFC 8785 canonical JSON of the entry including seq and prev_hash; the exact definition
-- is in src/store/README.md ("Audit chain"), so anyone can re-verify an export without this code.
--
-- One writer: audit_append(entries jsonb) appends a batch in one statement. It locks the single row of
-- audit_head (the chain's last seq and hash) FOR UPDATE, so appends serialise until their transaction
-- ends and a rolled-back transaction leaves no gap; rows inserted any other way are refused.
-- The log stays append-only: UPDATE and TRUNCATE are refused, and DELETE only of a prefix of the chain
-- through audit_erase_through(), which first records a checkpoint carrying the hash of the last erased
-- entry, so what remains still verifies (retention of the audit class).

-- The chain's canonical JSON (RFC 8785 / JCS) for the values the log holds: object keys are ASCII (so
-- JCS's UTF-16 order is byte order), numbers are integers within +-(2^53 - 1), strings escape as JSON
-- does in ECMAScript (PostgreSQL's to_json escapes the same characters the same way).
-- A scalar's canonical form: strings as to_json writes them (it escapes exactly what ECMAScript's
-- JSON.stringify does), true/false/null, and numbers, which must be safe integers.
CREATE FUNCTION audit_canonical_scalar(v jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  out text := v::text;
BEGIN
  IF jsonb_typeof(v) = 'number' AND (out !~ '^-?[0-9]{1,16}$' OR abs(out::numeric) > 9007199254740991) THEN
    RAISE EXCEPTION 'audit entry numbers must be safe integers' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN out;
END
$$;

-- The canonical form of a value (an entry's details, sources and subject ids): objects' keys in byte
-- order (they must be ASCII), arrays in order; only nested objects and arrays recurse.
CREATE FUNCTION audit_canonical(v jsonb) RETURNS text LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  out text := NULL;
  part text;
  k text;
  e jsonb;
BEGIN
  IF jsonb_typeof(v) = 'object' THEN
    FOR k, e IN SELECT x.key, x.value FROM jsonb_each(v) AS x ORDER BY x.key COLLATE "C" LOOP
      IF k !~ '^[ -~]*$' THEN
        RAISE EXCEPTION 'audit entry keys must be ASCII' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      part := to_json(k)::text || ':' || CASE WHEN jsonb_typeof(e) IN ('object', 'array')
                                             THEN audit_canonical(e) ELSE audit_canonical_scalar(e) END;
      out := CASE WHEN out IS NULL THEN part ELSE out || ',' || part END;
    END LOOP;
    RETURN '{' || COALESCE(out, '') || '}';
  ELSIF jsonb_typeof(v) = 'array' THEN
    FOR e IN SELECT x.value FROM jsonb_array_elements(v) WITH ORDINALITY AS x (value, n) ORDER BY x.n LOOP
      part := CASE WHEN jsonb_typeof(e) IN ('object', 'array') THEN audit_canonical(e) ELSE audit_canonical_scalar(e) END;
      out := CASE WHEN out IS NULL THEN part ELSE out || ',' || part END;
    END LOOP;
    RETURN '[' || COALESCE(out, '') || ']';
  END IF;
  RETURN audit_canonical_scalar(v);
END
$$;

-- The entry's hash: SHA-256 of the canonical JSON of every column but the hash itself (and the surrogate
-- id), in the stored form. The top level's keys are fixed, so they are written out in their sorted order;
-- a text is written as to_json writes it, which escapes exactly what ECMAScript's JSON.stringify does.
-- (plpgsql rather than SQL: its plans are kept for the session, a SQL function's only for a transaction.)
CREATE FUNCTION audit_entry_hash(
  p_seq bigint, p_prev_hash text, p_at timestamptz, p_category text, p_action text, p_actor text,
  p_role text, p_agency text, p_subject_type text, p_subject_id text, p_person_id uuid,
  p_subject_ids text[], p_sources jsonb, p_justification text, p_correlation_id text, p_details jsonb
) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN encode(sha256(convert_to(
    '{"action":' || COALESCE(to_json(p_action)::text, 'null')
    || ',"actor":' || COALESCE(to_json(p_actor)::text, 'null')
    || ',"agency":' || COALESCE(to_json(p_agency)::text, 'null')
    || ',"at":"' || to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'
    || ',"category":' || COALESCE(to_json(p_category)::text, 'null')
    || ',"correlationId":' || COALESCE(to_json(p_correlation_id)::text, 'null')
    || ',"details":' || audit_canonical(p_details)
    || ',"justification":' || COALESCE(to_json(p_justification)::text, 'null')
    || ',"personId":' || COALESCE(to_json(p_person_id::text)::text, 'null')
    || ',"prevHash":' || COALESCE(to_json(p_prev_hash)::text, 'null')
    || ',"role":' || COALESCE(to_json(p_role)::text, 'null')
    || ',"seq":' || p_seq::text
    || ',"sources":' || audit_canonical(p_sources)
    || ',"subjectId":' || COALESCE(to_json(p_subject_id)::text, 'null')
    || ',"subjectIds":' || audit_canonical(to_jsonb(p_subject_ids))
    || ',"subjectType":' || COALESCE(to_json(p_subject_type)::text, 'null') || '}', 'UTF8')), 'hex');
END
$$;

ALTER TABLE audit_events ADD COLUMN seq bigint;
ALTER TABLE audit_events ADD COLUMN category text;
ALTER TABLE audit_events ADD COLUMN actor_role text;
ALTER TABLE audit_events ADD COLUMN actor_agency text;
ALTER TABLE audit_events ADD COLUMN subject_ids text[];
ALTER TABLE audit_events ADD COLUMN sources jsonb;
ALTER TABLE audit_events ADD COLUMN justification text;
ALTER TABLE audit_events ADD COLUMN prev_hash text;
ALTER TABLE audit_events ADD COLUMN hash text;

-- The chain's head: its last seq and hash, one row. Appenders lock it; nothing else writes it.
CREATE TABLE audit_head (
  id        smallint PRIMARY KEY CHECK (id = 1),
  last_seq  bigint NOT NULL CHECK (last_seq >= 0),
  last_hash text NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$')
);

-- Entries recorded before the chain join it in id order, as written (at to the millisecond, the
-- precision every writer used), role SYSTEM for the bridge and REVIEWER for anyone else.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
DO $$
DECLARE
  r record;
  n bigint := 0;
  h text := repeat('0', 64);
  next_hash text;
  v_category text;
  v_role text;
  v_ids text[];
BEGIN
  FOR r IN SELECT * FROM audit_events ORDER BY id LOOP
    n := n + 1;
    v_category := CASE
      WHEN r.action IN ('EXPORT_RECEIVED', 'ARMS_REVISION_RECEIVED') THEN 'COLLECTION'
      WHEN r.action = 'READ_OASYS_ASSESSMENT' THEN 'CONSULTATION'
      WHEN r.action IN ('IDENTITY_MATCHED', 'PREFILL_GENERATED', 'CONFLICT_RAISED') THEN 'COMBINATION'
      WHEN r.action = 'RECORD_PUSHED' THEN 'DISCLOSURE'
      ELSE 'ALTERATION' END;
    v_role := CASE WHEN r.actor = 'bridge' THEN 'SYSTEM' ELSE 'REVIEWER' END;
    v_ids := ARRAY(SELECT s FROM unnest(ARRAY[lower(r.subject_type) || ':' || r.subject_id,
                     'person:' || r.person_id::text]) AS s WHERE s IS NOT NULL GROUP BY s ORDER BY s COLLATE "C");
    next_hash := audit_entry_hash(n, h, date_trunc('milliseconds', r.at), v_category, r.action, r.actor,
      v_role, NULL, r.subject_type, r.subject_id, r.person_id, v_ids, '[]'::jsonb,
      'recorded before the audit chain (migration 0006)', r.correlation_id, r.details);
    UPDATE audit_events SET seq = n, at = date_trunc('milliseconds', r.at), category = v_category,
           actor_role = v_role, subject_ids = v_ids, sources = '[]'::jsonb,
           justification = 'recorded before the audit chain (migration 0006)', prev_hash = h, hash = next_hash
     WHERE id = r.id;
    h := next_hash;
  END LOOP;
  INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, n, h);
END
$$;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;

ALTER TABLE audit_events ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN category SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN actor_role SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN subject_ids SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN sources SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN justification SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE audit_events ALTER COLUMN hash SET NOT NULL;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_seq_key UNIQUE (seq);
ALTER TABLE audit_events ADD CONSTRAINT audit_events_category_check CHECK (category IN
  ('COLLECTION', 'ALTERATION', 'CONSULTATION', 'DISCLOSURE', 'COMBINATION', 'ERASURE'));
ALTER TABLE audit_events ADD CONSTRAINT audit_events_hash_check
  CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE audit_events ADD CONSTRAINT audit_events_text_check
  CHECK (actor <> '' AND actor_role <> '' AND justification <> '');
ALTER TABLE audit_events ADD CONSTRAINT audit_events_sources_check CHECK (jsonb_typeof(sources) = 'array');
-- Export by subject (`bridge audit export`): every entry naming one of a subject's ids, in a period.
CREATE INDEX audit_events_subject_ids_idx ON audit_events USING gin (subject_ids);

-- Checkpoints left by erasing a prefix of the chain past its retention: the last erased entry's seq and
-- hash, so the first entry kept still links to something. Each is attested by the ERASURE entry appended
-- in the same transaction (details.checkpoint), which the chain itself protects.
CREATE TABLE audit_checkpoints (
  through_seq   bigint PRIMARY KEY,
  hash          text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  erased_from   bigint NOT NULL,
  erased_count  bigint NOT NULL CHECK (erased_count > 0),
  at            timestamptz NOT NULL,
  actor         text NOT NULL CHECK (actor <> ''),
  justification text NOT NULL CHECK (justification <> '')
);
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history();

-- Appends entries (a JSON array, in order) to the chain; returns the last seq written (null for none).
-- Each entry: at, category, action, actor, role, agency?, subjectType, subjectId, personId?,
-- subjectIds? (typed ids; the subject's own `lower(subjectType):subjectId` and `person:<personId>` are
-- added), sources? (array), justification, correlationId?, details? (object).
CREATE FUNCTION audit_append(entries jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  e jsonb;
  v_at timestamptz;
  v_person uuid;
  v_ids text[];
  v_sources jsonb;
  v_details jsonb;
  v_hash text;
BEGIN
  IF jsonb_typeof(entries) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'audit_append takes a JSON array' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF jsonb_array_length(entries) = 0 THEN
    RETURN NULL;
  END IF;
  -- Waits for any other appender's transaction to end, then reads the head it left.
  SELECT last_seq, last_hash INTO head_seq, head_hash FROM audit_head WHERE id = 1 FOR UPDATE;
  PERFORM set_config('bridge.audit_writer', 'on', true);
  FOR e IN SELECT x.value FROM jsonb_array_elements(entries) WITH ORDINALITY AS x (value, n) ORDER BY x.n LOOP
    head_seq := head_seq + 1;
    v_at := date_trunc('milliseconds', (e ->> 'at')::timestamptz);
    v_person := (e ->> 'personId')::uuid;
    v_ids := ARRAY(SELECT s FROM (
               SELECT lower(e ->> 'subjectType') || ':' || (e ->> 'subjectId') AS s
               UNION ALL SELECT 'person:' || v_person::text
               UNION ALL SELECT jsonb_array_elements_text(COALESCE(e -> 'subjectIds', '[]'::jsonb))) AS i
             WHERE s IS NOT NULL GROUP BY s ORDER BY s COLLATE "C");
    v_sources := COALESCE(e -> 'sources', '[]'::jsonb);
    v_details := COALESCE(e -> 'details', '{}'::jsonb);
    v_hash := audit_entry_hash(head_seq, head_hash, v_at, e ->> 'category', e ->> 'action', e ->> 'actor',
      e ->> 'role', e ->> 'agency', e ->> 'subjectType', e ->> 'subjectId', v_person, v_ids, v_sources,
      e ->> 'justification', e ->> 'correlationId', v_details);
    INSERT INTO audit_events (seq, at, category, action, actor, actor_role, actor_agency, subject_type,
        subject_id, person_id, subject_ids, sources, justification, correlation_id, details, prev_hash, hash)
    VALUES (head_seq, v_at, e ->> 'category', e ->> 'action', e ->> 'actor', e ->> 'role', e ->> 'agency',
        e ->> 'subjectType', e ->> 'subjectId', v_person, v_ids, v_sources, e ->> 'justification',
        e ->> 'correlationId', v_details, head_hash, v_hash);
    head_hash := v_hash;
  END LOOP;
  UPDATE audit_head SET last_seq = head_seq, last_hash = head_hash WHERE id = 1;
  PERFORM set_config('bridge.audit_writer', 'off', true);
  RETURN head_seq;
END
$$;

-- Erases the chain's entries up to and including through_seq (a prefix: everything before it must be
-- erased already or erased now), leaving a checkpoint with the hash of entry through_seq. Returns the
-- number of entries erased. The caller appends the ERASURE entry attesting the checkpoint.
CREATE FUNCTION audit_erase_through(p_through bigint, p_at timestamptz, p_actor text, p_justification text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_hash text;
  v_from bigint;
  v_count bigint;
BEGIN
  PERFORM 1 FROM audit_head WHERE id = 1 FOR UPDATE;
  SELECT e.hash INTO v_hash FROM audit_events e WHERE e.seq = p_through;
  IF v_hash IS NULL THEN
    RAISE EXCEPTION 'no audit entry % to erase through', p_through USING ERRCODE = 'no_data_found';
  END IF;
  SELECT min(e.seq), count(*) INTO v_from, v_count FROM audit_events e WHERE e.seq <= p_through;
  INSERT INTO audit_checkpoints (through_seq, hash, erased_from, erased_count, at, actor, justification)
  VALUES (p_through, v_hash, v_from, v_count, date_trunc('milliseconds', p_at), p_actor, p_justification);
  PERFORM set_config('bridge.audit_erase_through', p_through::text, true);
  DELETE FROM audit_events e WHERE e.seq <= p_through;
  PERFORM set_config('bridge.audit_erase_through', '', true);
  RETURN v_count;
END
$$;

-- Inserts only through audit_append; updates never; deletes only of the prefix audit_erase_through names.
CREATE FUNCTION audit_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF COALESCE(current_setting('bridge.audit_writer', true), '') = 'on' THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is written through audit_append() only' USING ERRCODE = 'restrict_violation';
  END IF;
  IF TG_OP = 'DELETE' AND COALESCE(current_setting('bridge.audit_erase_through', true), '') <> ''
     AND OLD.seq <= current_setting('bridge.audit_erase_through', true)::bigint THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
DROP TRIGGER audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE INSERT OR UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_guard();

-- TRUNCATE skips row triggers: refuse it on every history table.
CREATE FUNCTION refuse_truncate_of_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate_of_history();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate_of_history();
CREATE TRIGGER conflict_events_no_truncate BEFORE TRUNCATE ON conflict_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate_of_history();
