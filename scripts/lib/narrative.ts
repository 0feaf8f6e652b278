/**
 * Synthetic assessor prose for generated exports: sentences assembled from phrase banks so that texts
 * have realistic length and vocabulary without describing anyone real. Plain ASCII; the XML writer
 * escapes anyway.
 */
import type { Rng } from "./prng.ts";

const SUBJECTS = [
  "He",
  "She",
  "The person on probation",
  "The individual",
  "During interview the subject",
  "According to the pre-sentence report, the subject",
  "Police intelligence indicates that the subject",
  "The offender manager notes that the subject",
];

const VERBS = [
  "reports",
  "acknowledges",
  "minimises",
  "has disclosed",
  "continues to describe",
  "was observed to show",
  "has not yet addressed",
  "demonstrates limited insight into",
  "has engaged well with work on",
  "struggles to manage",
];

const OBJECTS = [
  "the impact of the offence on the victim",
  "periods of isolation and low mood",
  "a pattern of seeking contact with younger people",
  "tension with family members since release",
  "unstable accommodation and frequent moves",
  "alcohol use at weekends that escalates under stress",
  "a history of controlling behaviour in relationships",
  "compliance with licence conditions and appointments",
  "the triggers identified in the offence analysis",
  "use of the internet late at night",
  "debts that have built up over the last year",
  "the need to avoid places where children gather",
  "relationships with peers who hold pro-criminal attitudes",
  "the restrictions imposed by the sexual harm prevention order",
  "difficulties in regulating emotions when challenged",
];

const QUALIFIERS = [
  "",
  ", which remains a concern",
  ", and this is linked to the risk of serious harm",
  ", although progress has been made since the last review",
  ", as corroborated by the hostel key worker",
  ", which will be reviewed at the next MAPPA meeting",
  ", and further work is planned in supervision",
  ", as recorded in the previous assessment",
];

export function sentence(rng: Rng): string {
  return `${rng.pick(SUBJECTS)} ${rng.pick(VERBS)} ${rng.pick(OBJECTS)}${rng.pick(QUALIFIERS)}.`;
}

/** Prose of about `length` characters (whole sentences; at least one). */
export function paragraph(rng: Rng, length: number): string {
  const parts: string[] = [sentence(rng)];
  let size = (parts[0] as string).length;
  while (size < length) {
    const s = sentence(rng);
    parts.push(s);
    size += s.length + 1;
  }
  return parts.join(" ");
}

const SYLLABLES = [
  "ash",
  "brem",
  "cor",
  "dal",
  "fen",
  "gar",
  "hol",
  "kes",
  "lin",
  "mor",
  "nor",
  "pen",
  "quil",
  "ros",
  "tam",
  "vel",
  "wick",
  "yar",
];
const ENDINGS = ["by", "ton", "worth", "ley", "field", "combe", "ridge", "stead"];
const FORENAMES = [
  "ALEX",
  "SAM",
  "JO",
  "ROBIN",
  "CASEY",
  "MORGAN",
  "JAMIE",
  "DREW",
  "KIT",
  "REMY",
  "ARI",
  "LEE",
  "NICO",
  "RILEY",
  "TAYLOR",
  "JORDAN",
  "SKYLER",
  "AVERY",
];

/** An invented family name (syllables + ending), upper case, as OASys holds names. */
export function familyName(rng: Rng): string {
  return `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}${rng.pick(ENDINGS)}`.toUpperCase();
}

export function forename(rng: Rng): string {
  return rng.pick(FORENAMES);
}
