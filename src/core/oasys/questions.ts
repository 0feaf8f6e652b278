/**
 * OASys question catalogue (LAYER3 v1): question code -> answer scale, and the ORDS JSON field that
 * carries it. Codes and field names from the domain brief §2.5-2.7 (sources: OAAK V1_98, ARNS ORDS
 * fixtures). The scale drives normalisation; an unknown code is normalised by its value's shape.
 */

export type Scale =
  /** 0/1/2 problem scale: `0`, `"1-Some problems"`, `"2-Significant problems"`. */
  | "PROBLEM"
  /** YES / NO. */
  | "YES_NO"
  /** 4.2: YES (unemployed) = 2, NO = 0, NA (not available for work) = 0. */
  | "UNEMPLOYED"
  /** 8.6: Never = 0, Previous = 1, Currently = 2. */
  | "INJECTED"
  /** 12.8: 0-Very motivated, 1-Quite motivated, 2-Not at all. */
  | "MOTIVATION"
  /** 6.8: 1 in a relationship living together, 2 not living together, 3 not in a relationship. */
  | "RELATIONSHIP_STATUS"
  | "NUMBER"
  | "DATE"
  | "TEXT";

export interface Question {
  code: string;
  section: string;
  scale: Scale;
  /** ORDS JSON field name, where the REST API carries the item. */
  ords?: string;
  label: string;
}

const q = (code: string, section: string, scale: Scale, label: string, ords?: string): Question =>
  ords === undefined ? { code, section, scale, label } : { code, section, scale, label, ords };

export const QUESTIONS: readonly Question[] = [
  // Section 1: offending information (static items)
  q("1.5", "1", "NUMBER", "Court appearances with conviction aged under 18", "courtAppearancesUnder18"),
  q("1.6", "1", "NUMBER", "Court appearances with conviction aged 18+", "courtAppearancesOver18"),
  q("1.7", "1", "NUMBER", "Age at first conviction", "ageAtFirstConviction"),
  q("1.8.2", "1", "DATE", "Date of first sanction", "dateOfFirstSanction"),
  q("1.24", "1", "NUMBER", "Previous cautions, reprimands and warnings", "numberOfPreviousCautionsEtc"),
  q("1.29", "1", "DATE", "Date of current conviction", "dateOfCurrentConviction"),
  q(
    "1.30",
    "1",
    "YES_NO",
    "Ever committed a sexual or sexually motivated offence",
    "everCommittedSexualOffence",
  ),
  q("1.31", "1", "YES_NO", "Contact offence against a stranger victim", "contactAgainstStrangerVictim"),
  q("1.32", "1", "NUMBER", "Total sanctions", "totOfSanctions"),
  q("1.33", "1", "DATE", "Date of most recent sexual sanction", "dateSanctionOfSexualOffence"),
  q("1.34", "1", "NUMBER", "Contact adult sexual sanctions", "numSanctionsContactAdult"),
  q("1.35", "1", "NUMBER", "Contact child sexual sanctions", "numSanctionsContactChild"),
  q("1.36", "1", "NUMBER", "Indecent child image sanctions", "numSanctionsIndecentImagesChild"),
  q("1.37", "1", "NUMBER", "Other non-contact sexual sanctions", "numSanctionsNonContactSexual"),
  q(
    "1.38",
    "1",
    "DATE",
    "Date community sentence commenced or earliest release",
    "dateCommSentenceOrEarliestRelease",
  ),
  q("1.40", "1", "NUMBER", "Sanctions for violent offences", "numSanctionsViolentOffences"),
  // Section 2: analysis of offences
  q("2.6", "2", "PROBLEM", "Recognises impact of offending on victims"),
  q("2.11.t", "2", "TEXT", "Acknowledges responsibility"),
  // Section 3: accommodation
  q("3.3", "3", "YES_NO", "No fixed abode or transient accommodation", "noFixedAbodeOrTransient"),
  q("3.4", "3", "PROBLEM", "Suitability of accommodation", "suitabilityOfAccommodation"),
  q("3.5", "3", "PROBLEM", "Permanence of accommodation", "permanenceOfAccommodation"),
  q("3.6", "3", "PROBLEM", "Suitability of location of accommodation", "locationOfAccommodation"),
  // Section 4: education, training and employability
  q("4.2", "4", "UNEMPLOYED", "Unemployed or will be on release", "unemployed"),
  q("4.3", "4", "PROBLEM", "Employment history", "employmentHistory"),
  q("4.4", "4", "PROBLEM", "Work-related skills", "workRelatedSkills"),
  q("4.5", "4", "PROBLEM", "Attitude to employment", "attitudeToEmployment"),
  q("4.6", "4", "PROBLEM", "School attendance", "schoolAttendance"),
  q("4.7", "4", "PROBLEM", "Problems with reading, writing or numeracy", "problemsReadWriteNum"),
  q("4.8", "4", "PROBLEM", "Learning difficulties", "learningDifficulties"),
  q("4.9", "4", "PROBLEM", "Educational or formal vocational qualifications", "qualifications"),
  q("4.10", "4", "PROBLEM", "Attitude to education or training", "attitudeToEducationTraining"),
  // Section 6: relationships
  q("6.1", "6", "PROBLEM", "Relationship with close family", "relCloseFamily"),
  q("6.3", "6", "PROBLEM", "Experience of childhood", "experienceOfChildhood"),
  q("6.4", "6", "PROBLEM", "Current relationship with partner", "relationshipWithPartner"),
  q("6.6", "6", "PROBLEM", "Previous close relationships", "prevCloseRelationships"),
  q("6.7", "6", "YES_NO", "Evidence of domestic violence or partner abuse", "prevOrCurrentDomesticAbuse"),
  q("6.7.1.1", "6", "YES_NO", "Perpetrator against family", "perpAgainstFamily"),
  q("6.7.1.2", "6", "YES_NO", "Victim of family", "victimOfFamily"),
  q("6.7.2.1", "6", "YES_NO", "Perpetrator against partner", "perpAgainstPartner"),
  q("6.7.2.2", "6", "YES_NO", "Victim of partner", "victimOfPartner"),
  q("6.8", "6", "RELATIONSHIP_STATUS", "Current relationship status", "relCurrRelationshipStatus"),
  q("6.9", "6", "YES_NO", "Parental responsibilities", "relParentalResponsibilities"),
  q("6.10", "6", "PROBLEM", "Parental responsibilities a problem", "parentalRespProblem"),
  q("6.11", "6", "YES_NO", "Open the sexual offending questions", "openSexualOffendingQuestions"),
  q("6.12", "6", "PROBLEM", "Emotional congruence with children", "emotionalCongruence"),
  // Section 7: lifestyle and associates
  q("7.1", "7", "PROBLEM", "Community integration", "communityIntegration"),
  q("7.2", "7", "PROBLEM", "Regular activities encourage offending", "regActivitiesEncourageOffending"),
  q("7.3", "7", "PROBLEM", "Easily influenced by criminal associates", "easilyInfluenced"),
  q("7.4", "7", "PROBLEM", "Manipulative or predatory lifestyle", "manipulativePredatory"),
  q("7.5", "7", "PROBLEM", "Recklessness and risk-taking", "recklessness"),
  // Section 8: drug misuse
  q("8.1", "8", "YES_NO", "Drugs ever misused", "drugsEverMisused"),
  q("8.4", "8", "PROBLEM", "Current drug noted", "currentDrugNoted"),
  q("8.5", "8", "PROBLEM", "Level of use of main drug", "LevelOfUseOfMainDrug"),
  q("8.6", "8", "INJECTED", "Ever injected drugs", "everInjectedDrugs"),
  q("8.8", "8", "PROBLEM", "Motivation to tackle drug misuse", "motivationToTackleDrugMisuse"),
  q("8.9", "8", "PROBLEM", "Drugs a major activity", "DrugsMajorActivity"),
  // Section 9: alcohol misuse
  q("9.1", "9", "PROBLEM", "Current use of alcohol a problem", "currentUse"),
  q("9.2", "9", "PROBLEM", "Binge drinking", "bingeDrinking"),
  q("9.3", "9", "PROBLEM", "Past frequency and level of alcohol use", "frequencyAndLevel"),
  q("9.4", "9", "YES_NO", "Violent behaviour related to alcohol", "alcoholViolentBehaviour"),
  q("9.5", "9", "PROBLEM", "Motivation to tackle alcohol misuse", "alcoholTackleMotivation"),
  // Section 10: emotional well-being
  q("10.1", "10", "PROBLEM", "Difficulties coping"),
  q("10.2", "10", "PROBLEM", "Psychological problems or depression"),
  q("10.3", "10", "PROBLEM", "Social isolation"),
  q("10.4", "10", "PROBLEM", "Attitude to self"),
  q("10.5", "10", "YES_NO", "Self-harm or suicide attempts"),
  q("10.6", "10", "YES_NO", "Psychiatric problems"),
  // Section 11: thinking and behaviour
  q("11.1", "11", "PROBLEM", "Interpersonal skills", "interpersonalSkills"),
  q("11.2", "11", "PROBLEM", "Impulsivity", "impulsivity"),
  q("11.3", "11", "PROBLEM", "Aggressive or controlling behaviour", "aggressiveControllingBehavour"),
  q("11.4", "11", "PROBLEM", "Temper control", "temperControl"),
  q("11.5", "11", "PROBLEM", "Ability to recognise problems", "recogniseProblems"),
  q("11.6", "11", "PROBLEM", "Problem-solving skills", "problemSolvingSkills"),
  q("11.7", "11", "PROBLEM", "Awareness of consequences", "awarenessOfConsequences"),
  q("11.8", "11", "PROBLEM", "Achieves goals", "achieveGoals"),
  q("11.9", "11", "PROBLEM", "Understands other people's views", "understandsViewsOfOthers"),
  q("11.10", "11", "PROBLEM", "Concrete or abstract thinking", "concreteAbstractThinking"),
  q("11.11", "11", "PROBLEM", "Sexual pre-occupation", "sexualPreOccupation"),
  q("11.12", "11", "PROBLEM", "Offence-related sexual interests", "offenceRelatedSexualInterests"),
  // Section 12: attitudes
  q("12.1", "12", "PROBLEM", "Pro-criminal attitudes", "proCriminalAttitudes"),
  q("12.3", "12", "PROBLEM", "Attitude towards staff", "attitudesTowardsStaff"),
  q("12.4", "12", "PROBLEM", "Attitude towards supervision or licence", "attitudesTowardsSupervision"),
  q("12.5", "12", "PROBLEM", "Attitude towards community or society", "attitudesTowardsCommunitySociety"),
  q("12.6", "12", "PROBLEM", "Understands motivation for offending", "understandsMotivationForOffending"),
  q("12.8", "12", "MOTIVATION", "Motivation to address offending behaviour", "motivationToAddressBehaviour"),
  q("12.9", "12", "PROBLEM", "Hostile orientation", "hostileOrientation"),
  // Section 13: health and other considerations
  q("13.3.14", "13", "YES_NO", "Commitments: employment"),
  // RoSH screening
  q("R1.2.3", "ROSH", "YES_NO", "Any sexual offence against a child"),
  q("R1.2.4", "ROSH", "YES_NO", "Rape or serious sexual offence against an adult"),
  q("R2.1", "ROSH", "YES_NO", "Contact with a child on the child protection register"),
  q("R2.2", "ROSH", "YES_NO", "Concerns in relation to children"),
  // RoSH full analysis
  q("FA15", "ROSHFULL", "YES_NO", "Presents a risk to identifiable children", "riskToIdentifiableChildren"),
  q(
    "FA16",
    "ROSHFULL",
    "YES_NO",
    "Involved in a situation where identifiable children are at risk",
    "situationWithRiskToIdentifiableChildren",
  ),
  // Risk management plan
  q("RM8", "RMP", "YES_NO", "Required to register under the Sex Offender Act"),
  q("RM9", "RMP", "YES_NO", "Has registered"),
  q("RM10", "RMP", "YES_NO", "Disqualified from working with children"),
  q("RM12", "RMP", "YES_NO", "Ongoing risk to children"),
  q("RM28.0.25", "RMP", "YES_NO", "Emotional congruence linked to RoSH"),
  q("RM28.0.26", "RMP", "YES_NO", "Sexual preoccupation linked to RoSH"),
  q("RM28.0.27", "RMP", "YES_NO", "Offence-related sexual interests linked to RoSH"),
  q("RM28.0.28", "RMP", "YES_NO", "Hostile orientation linked to RoSH"),
];

export const QUESTION_BY_CODE: ReadonlyMap<string, Question> = new Map(QUESTIONS.map((x) => [x.code, x]));

/** ORDS field name -> question, for assembling answers from REST payloads. */
export const QUESTION_BY_ORDS_FIELD: ReadonlyMap<string, Question> = new Map(
  QUESTIONS.filter((x) => x.ords !== undefined).map((x) => [x.ords as string, x]),
);

/**
 * Section-level flag fields in ORDS payloads: `<prefix>LinkedToHarm`, `<prefix>LinkedToReoffending`,
 * `<prefix>IssuesDetails` (domain brief §2.4).
 */
export const ORDS_SECTION_PREFIX: Readonly<Record<string, string>> = {
  "3": "acc",
  "4": "eTE",
  "5": "finance",
  "6": "rel",
  "7": "lifestyle",
  "8": "drug",
  "9": "alcohol",
  "10": "emo",
  "11": "think",
  "12": "att",
};

/** The four OASys sexual-offending dynamic items, gated by 6.11 = YES. */
export const SEXUAL_ITEMS = ["6.12", "11.11", "11.12", "12.9"] as const;
export const SEXUAL_ITEMS_GATE = "6.11";
