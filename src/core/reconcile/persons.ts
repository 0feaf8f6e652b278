/**
 * Groups OASys assessments and ARMS assessments into people. Records that share a strong key (a
 * check-valid canonical PNC, or a CRN) land in the same group, transitively; whether the group is really
 * one person is then the matcher's call (MATCHED / MISMATCH / AMBIGUOUS), never assumed here.
 */
import type { ArmsAssessment } from "../arms/model.ts";
import { parseCrn, parsePnc, pncPivotYear } from "../identity/identifiers.ts";
import type { OasysAssessment } from "../oasys/model.ts";

export interface PersonGroup {
  /** Stable key: the first strong key seen in sorted order (`pnc:2008/0056560Z` or `crn:X123456`). */
  key: string;
  keys: string[];
  oasys: OasysAssessment[];
  arms: ArmsAssessment[];
}

export function oasysKeys(a: OasysAssessment): string[] {
  const keys: string[] = [];
  const { pnc, crn } = a.offender;
  if (pnc?.valid && pnc.canonical) keys.push(`pnc:${pnc.canonical}`);
  if (crn?.valid && crn.canonical) keys.push(`crn:${crn.canonical}`);
  return keys;
}

/** Only a VALID identifier is a key: never an invalid, ambiguous or placeholder one. */
export function armsKeys(a: ArmsAssessment, pivotYear: number | null): string[] {
  const keys: string[] = [];
  const pnc = a.subject.pnc ? parsePnc(a.subject.pnc, pivotYear) : null;
  const crn = a.subject.crn ? parseCrn(a.subject.crn) : null;
  if (pnc?.valid && pnc.canonical) keys.push(`pnc:${pnc.canonical}`);
  if (crn?.valid && crn.canonical) keys.push(`crn:${crn.canonical}`);
  return keys;
}

/** Union-find over record keys. Records with no strong key form a group of their own. */
export function groupPersons(oasys: OasysAssessment[], arms: ArmsAssessment[], today: string): PersonGroup[] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    let node = k;
    while (node !== root) {
      const next = parent.get(node) as string;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const union = (keys: string[]) => {
    for (const k of keys) if (!parent.has(k)) parent.set(k, k);
    const [first, ...rest] = keys;
    if (first === undefined) return;
    for (const k of rest) {
      const a = find(first);
      const b = find(k);
      if (a === b) continue;
      const [low, high] = a < b ? [a, b] : [b, a];
      parent.set(high, low);
    }
  };

  const pivotYear = pncPivotYear(today);
  const records: { keys: string[]; oasys?: OasysAssessment; arms?: ArmsAssessment }[] = [];
  for (const a of oasys) {
    const keys = oasysKeys(a);
    records.push({ keys: keys.length ? keys : [`oasys:${a.assessmentPk}`], oasys: a });
  }
  for (const a of arms) {
    const keys = armsKeys(a, pivotYear);
    records.push({ keys: keys.length ? keys : [`arms:${a.armsAssessmentId}`], arms: a });
  }
  for (const r of records) union(r.keys);

  const groups = new Map<string, PersonGroup>();
  for (const r of records) {
    const root = find(r.keys[0] as string);
    let g = groups.get(root);
    if (!g) {
      g = { key: root, keys: [], oasys: [], arms: [] };
      groups.set(root, g);
    }
    for (const k of r.keys) if (!g.keys.includes(k)) g.keys.push(k);
    if (r.oasys) g.oasys.push(r.oasys);
    if (r.arms) g.arms.push(r.arms);
  }
  for (const g of groups.values()) {
    g.keys.sort(keyOrder);
    g.key = g.keys[0] as string;
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** PNC keys before CRN keys before record-only keys, then alphabetical. */
function keyOrder(a: string, b: string): number {
  const rank = (k: string) => (k.startsWith("pnc:") ? 0 : k.startsWith("crn:") ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const completedAt = (a: OasysAssessment) => a.dateCompleted ?? a.initiationDate ?? "";

/**
 * The OASys assessment a reconciliation uses: the latest COMPLETE one (by dateCompleted); when there is
 * none, the latest of any status, so the currency rules can say why it is not usable.
 */
export function latestOasys(assessments: OasysAssessment[]): OasysAssessment | null {
  const byDate = [...assessments].sort(
    (a, b) => completedAt(b).localeCompare(completedAt(a)) || b.assessmentPk - a.assessmentPk,
  );
  return byDate.find((a) => a.status === "COMPLETE") ?? byDate[0] ?? null;
}
