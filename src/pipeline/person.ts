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
import type { OasysAssessment } from "../core/oasys/model.ts";
import { armsKeys, groupPersons, oasysKeys, type PersonGroup } from "../core/reconcile/persons.ts";
import type { Db } from "../store/index.ts";
import { currentArms, currentArmsFor } from "../store/repositories/arms.ts";
import { getOasysAssessment, oasysAssessmentsFor } from "../store/repositories/oasys.ts";

/** A stored record a reconciliation starts from. */
export type RecordRef =
  | { source: "OASYS"; assessmentPk: number }
  | { source: "ARMS"; armsAssessmentId: string };

/** A group larger than this many keys is not a person but a data fault; the closure stops growing there. */
const MAX_KEYS = 32;

const pivotOf = (today: string) => Number(today.slice(2, 4));

function keyQuery(key: string): { pnc?: string; crn?: string } | null {
  if (key.startsWith("pnc:")) return { pnc: key.slice(4) };
  if (key.startsWith("crn:")) return { crn: key.slice(4) };
  return null;
}

/** The strong keys of a stored record (`pnc:..`, `crn:..`), [] when it has none, null when it is not held. */
export async function recordKeys(db: Db, ref: RecordRef, today: string): Promise<string[] | null> {
  if (ref.source === "OASYS") {
    const held = await getOasysAssessment(db, ref.assessmentPk);
    return held ? oasysKeys(held.assessment) : null;
  }
  const held = await currentArms(db, ref.armsAssessmentId);
  return held ? armsKeys(held.document, pivotOf(today)) : null;
}

/**
 * The group holding the record, from what the store holds now; null when the record is not held.
 * A record with no strong key is a group of its own.
 */
export async function loadPersonGroup(db: Db, ref: RecordRef, today: string): Promise<PersonGroup | null> {
  const oasys = new Map<number, OasysAssessment>();
  const arms = new Map<string, ArmsAssessment>();
  if (ref.source === "OASYS") {
    const held = await getOasysAssessment(db, ref.assessmentPk);
    if (!held) return null;
    oasys.set(held.assessmentPk, held.assessment);
  } else {
    const held = await currentArms(db, ref.armsAssessmentId);
    if (!held) return null;
    arms.set(held.armsAssessmentId, held.document);
  }

  const seen = new Set<string>();
  const pending = [
    ...[...oasys.values()].flatMap(oasysKeys),
    ...[...arms.values()].flatMap((a) => armsKeys(a, pivotOf(today))),
  ];
  while (pending.length > 0 && seen.size < MAX_KEYS) {
    const key = pending.shift() as string;
    if (seen.has(key)) continue;
    seen.add(key);
    const query = keyQuery(key);
    if (!query) continue;
    for (const held of await oasysAssessmentsFor(db, query)) {
      if (oasys.has(held.assessmentPk)) continue;
      oasys.set(held.assessmentPk, held.assessment);
      pending.push(...oasysKeys(held.assessment));
    }
    for (const held of await currentArmsFor(db, query)) {
      if (arms.has(held.armsAssessmentId)) continue;
      arms.set(held.armsAssessmentId, held.document);
      pending.push(...armsKeys(held.document, pivotOf(today)));
    }
  }

  const groups = groupPersons([...oasys.values()], [...arms.values()], today);
  const holds = (g: PersonGroup) =>
    ref.source === "OASYS"
      ? g.oasys.some((a) => a.assessmentPk === ref.assessmentPk)
      : g.arms.some((a) => a.armsAssessmentId === ref.armsAssessmentId);
  return groups.find(holds) ?? null;
}

/** Takes the persons' advisory locks for these keys (sorted, so every caller locks in the same order). */
export async function lockPersonKeys(tx: Db, keys: readonly string[]): Promise<void> {
  const strong = keys.filter((k) => keyQuery(k) !== null).sort();
  for (const key of strong) await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`person:${key}`]);
}

/**
 * Inside a transaction: locks the person the record belongs to, then loads their group. When the loaded
 * group has keys beyond those locked (a record linking two keys arrived meanwhile), those are locked too and
 * the group read again, until every key of the group read is locked. Locking keys outside sorted order can
 * deadlock with another transaction; PostgreSQL then aborts one and `Db.transaction` re-runs it.
 */
export async function lockAndLoadPerson(tx: Db, ref: RecordRef, today: string): Promise<PersonGroup | null> {
  const locked = new Set<string>();
  let keys = (await recordKeys(tx, ref, today)) ?? [];
  for (;;) {
    const fresh = keys.filter((k) => !locked.has(k));
    await lockPersonKeys(tx, fresh);
    for (const k of fresh) locked.add(k);
    const group = await loadPersonGroup(tx, ref, today);
    if (!group) return null;
    const unlocked = group.keys.filter((k) => keyQuery(k) !== null && !locked.has(k));
    if (unlocked.length === 0 || locked.size >= MAX_KEYS) return group;
    keys = unlocked;
  }
}
