/**
 * A person's records, loaded from the store for reconciliation: starting from one stored record (an
 * OASys assessment or an ARMS assessment), every OASys assessment and every current ARMS revision that
 * shares a strong key (check-valid PNC or CRN) with it, transitively, grouped exactly as the batch
 * reconciliation groups them (core/reconcile/persons.ts).
 *
 * Ordering: `lockAndLoadPerson` takes the person's advisory locks (the same `person:pnc:..`/`person:crn:..`
 * locks `upsertPerson` takes) before it reads, and re-reads when the group turned out to have keys it had
 * not locked yet. Inside one transaction this makes read-reconcile-write atomic per person: a second
 * reconciliation of the same person waits, then reads what the first one wrote.
 */
import type { ArmsAssessment } from "../core/arms/model.ts";
import { pncPivotYear } from "../core/identity/identifiers.ts";
import type { OasysAssessment } from "../core/oasys/model.ts";
import { armsKeys, groupPersons, oasysKeys, type PersonGroup } from "../core/reconcile/persons.ts";
import type { Db } from "../store/index.ts";
import { currentArms, currentArmsMatching, type StoredArms } from "../store/repositories/arms.ts";
import { oasysAssessmentsMatching, type StoredOasys } from "../store/repositories/oasys.ts";
import { lockAdvisory } from "../store/repositories/persons.ts";

/** A stored record a reconciliation starts from. */
export type RecordRef =
  | { source: "OASYS"; assessmentPk: number }
  | { source: "ARMS"; armsAssessmentId: string };

/** A group larger than this many keys is not a person but a data fault; the closure stops growing there. */
const MAX_KEYS = 32;

function keyQuery(key: string): { pnc?: string; crn?: string } | null {
  if (key.startsWith("pnc:")) return { pnc: key.slice(4) };
  if (key.startsWith("crn:")) return { crn: key.slice(4) };
  return null;
}

/** The strong keys of a stored record (`pnc:..`, `crn:..`), [] when it has none, null when it is not held. */
export async function recordKeys(db: Db, ref: RecordRef, today: string): Promise<string[] | null> {
  if (ref.source === "OASYS") {
    // The stored key columns are the assessment's keys (saveOasysAssessment writes them from oasysKeys).
    const rows = await db.query<{ pnc: string | null; crn: string | null }>(
      "SELECT pnc, crn FROM oasys_assessments WHERE assessment_pk = $1",
      [ref.assessmentPk],
    );
    const row = rows[0];
    if (!row) return null;
    return [row.pnc && `pnc:${row.pnc}`, row.crn && `crn:${row.crn}`].filter((k): k is string => !!k);
  }
  const held = await currentArms(db, ref.armsAssessmentId);
  return held ? armsKeys(held.document, pncPivotYear(today)) : null;
}

/** A person's records as the store holds them, with the stored version of each OASys assessment. */
export interface PersonRecords {
  group: PersonGroup;
  /** Stored version of every OASys assessment read, by pk. */
  oasysVersions: ReadonlyMap<number, number>;
}

/**
 * The group holding the record, from what the store holds now; null when the record is not held.
 * A record with no strong key is a group of its own.
 */
export async function loadPersonGroup(db: Db, ref: RecordRef, today: string): Promise<PersonGroup | null> {
  return (await loadPersonRecords(db, ref, today))?.group ?? null;
}

/**
 * `loadPersonGroup` with the stored versions. Reads the record and everything sharing its (expected) keys
 * in one query per table, then once more for each ring of keys the records read bring in (usually none).
 */
export async function loadPersonRecords(
  db: Db,
  ref: RecordRef,
  today: string,
  /** Keys the record is expected to have (read before locking): read in the first query too. */
  expectedKeys: readonly string[] = [],
): Promise<PersonRecords | null> {
  const pivot = pncPivotYear(today);
  const oasys = new Map<number, OasysAssessment>();
  const versions = new Map<number, number>();
  const arms = new Map<string, ArmsAssessment>();
  const seen = new Set<string>();
  let pending: string[] = [];
  const take = (held: { oasys: StoredOasys[]; arms: StoredArms[] }) => {
    for (const o of held.oasys) {
      if (oasys.has(o.assessmentPk)) continue;
      oasys.set(o.assessmentPk, o.assessment);
      versions.set(o.assessmentPk, o.version);
      pending.push(...oasysKeys(o.assessment));
    }
    for (const a of held.arms) {
      if (arms.has(a.armsAssessmentId)) continue;
      arms.set(a.armsAssessmentId, a.document);
      pending.push(...armsKeys(a.document, pivot));
    }
  };

  const first = expectedKeys.filter((k) => keyQuery(k) !== null);
  for (const k of first) seen.add(k);
  take(await recordsFor(db, ref, first));
  const isHeld = ref.source === "OASYS" ? oasys.has(ref.assessmentPk) : arms.has(ref.armsAssessmentId);
  if (!isHeld) return null;
  while (pending.length > 0 && seen.size < MAX_KEYS) {
    const ring: string[] = [];
    for (const key of pending) {
      if (seen.has(key) || seen.size >= MAX_KEYS) continue;
      seen.add(key);
      if (keyQuery(key)) ring.push(key);
    }
    pending = [];
    if (ring.length > 0) take(await recordsFor(db, null, ring));
  }

  const groups = groupPersons([...oasys.values()], [...arms.values()], today);
  const holds = (g: PersonGroup) =>
    ref.source === "OASYS"
      ? g.oasys.some((a) => a.assessmentPk === ref.assessmentPk)
      : g.arms.some((a) => a.armsAssessmentId === ref.armsAssessmentId);
  const group = groups.find(holds);
  return group ? { group, oasysVersions: versions } : null;
}

/** The record itself (when given) and every OASys assessment and current ARMS revision with one of the keys. */
async function recordsFor(
  db: Db,
  ref: RecordRef | null,
  keys: readonly string[],
): Promise<{ oasys: StoredOasys[]; arms: StoredArms[] }> {
  const pncs = keys.filter((k) => k.startsWith("pnc:")).map((k) => k.slice(4));
  const crns = keys.filter((k) => k.startsWith("crn:")).map((k) => k.slice(4));
  const selectors = {
    pnc: pncs,
    crn: crns,
    assessmentPk: ref?.source === "OASYS" ? ref.assessmentPk : null,
    armsAssessmentId: ref?.source === "ARMS" ? ref.armsAssessmentId : null,
  };
  const oasys = await oasysAssessmentsMatching(db, selectors);
  const arms = await currentArmsMatching(db, selectors);
  return { oasys, arms };
}

/** Takes the persons' advisory locks for these keys (sorted, so every caller locks in the same order). */
export async function lockPersonKeys(tx: Db, keys: readonly string[]): Promise<void> {
  const strong = keys.filter((k) => keyQuery(k) !== null).sort();
  await lockAdvisory(
    tx,
    strong.map((key) => `person:${key}`),
  );
}

/** What `lockAndLoadPerson` read, under the locks of every key it holds. */
export interface LockedPerson extends PersonRecords {
  /** The strong keys (`pnc:..`, `crn:..`) whose advisory locks the transaction holds. */
  lockedKeys: ReadonlySet<string>;
}

/**
 * Inside a transaction: locks the person the record belongs to, then loads their group. When the loaded
 * group has keys beyond those locked (a record linking two keys arrived meanwhile), those are locked too and
 * the group read again, until every key of the group read is locked. Locking keys outside sorted order can
 * deadlock with another transaction; PostgreSQL then aborts one and `Db.transaction` re-runs it.
 */
export async function lockAndLoadPerson(tx: Db, ref: RecordRef, today: string): Promise<LockedPerson | null> {
  const locked = new Set<string>();
  let keys = (await recordKeys(tx, ref, today)) ?? [];
  for (;;) {
    const fresh = keys.filter((k) => !locked.has(k));
    await lockPersonKeys(tx, fresh);
    for (const k of fresh) locked.add(k);
    const records = await loadPersonRecords(tx, ref, today, [...locked]);
    if (!records) return null;
    const unlocked = records.group.keys.filter((k) => keyQuery(k) !== null && !locked.has(k));
    if (unlocked.length === 0 || locked.size >= MAX_KEYS) return { ...records, lockedKeys: locked };
    keys = unlocked;
  }
}
