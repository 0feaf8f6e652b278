/**
 * Generates synthetic OASys XML exports (contract §1) without ever holding the file: `exportChunks`
 * yields the document piece by piece. Used for the large-file and chunking tests. Synthetic people only.
 */

const SECTIONS = ["3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"];
const PROBLEM_VALUES = ["0", "1", "2", "0-No problems", "1-Some problems", "2-Significant problems", "M", ""];
const FILLER =
  "The assessor recorded observations about the circumstances, with dates, places and the people involved. ";

/** One LAYER3 assessment of roughly `textRepeat * 100 * 11` characters of free text plus answers. */
export function assessmentXml(pk: number, textRepeat = 8): string {
  const details = FILLER.repeat(textRepeat);
  let xml =
    `  <assessment assessmentPk="${pk}" type="${pk % 2 ? "LAYER3" : "LAYER_3"}" version="1" status="COMPLETE" purposeCode="270">\n` +
    "    <initiationDate>2026-10-01T09:00:00</initiationDate>\n" +
    "    <dateCompleted>2026-10-03T14:05:00Z</dateCompleted>\n" +
    "    <laterCompleteAssessmentExists>false</laterCompleteAssessmentExists>\n" +
    `    <offender oasysOffenderPk="${100000 + pk}" limitedAccessOffender="false" custody="N">\n` +
    `      <crn>X${String(pk % 1000000).padStart(6, "0")}</crn><pnc>2008/0056560Z</pnc>\n` +
    "      <familyName>TESTPERSON</familyName><forename1>ALEX</forename1><forename2>SAM</forename2>\n" +
    `      <dateOfBirth>1980-02-01</dateOfBirth><gender>${pk % 3 === 0 ? "F" : "1"}</gender>\n` +
    "    </offender>\n";
  for (const section of SECTIONS) {
    xml += `    <section code="${section}">\n`;
    for (let i = 1; i <= 10; i++) {
      xml += `      <answer q="${section}.${i}">${PROBLEM_VALUES[(pk + i) % PROBLEM_VALUES.length]}</answer>\n`;
    }
    xml +=
      "      <linkedToHarm>Yes</linkedToHarm><linkedToReoffending>NO</linkedToReoffending>\n" +
      `      <issuesDetails>${details}</issuesDetails>\n    </section>\n`;
  }
  xml +=
    "    <roshSummary>\n" +
    '      <riskLevel group="CHILDREN" setting="COMMUNITY">High</riskLevel>\n' +
    '      <riskLevel group="PUBLIC" setting="COMMUNITY">m</riskLevel>\n' +
    '      <riskLevel group="KNOWN_ADULT" setting="CUSTODY">Very High</riskLevel>\n' +
    `      <whoIsAtRisk>${details}</whoIsAtRisk><natureOfRisk>nature &amp; pattern</natureOfRisk>\n` +
    "    </roshSummary>\n" +
    "    <predictors>\n" +
    '      <predictor type="RSR" score="3.91" band="MEDIUM"/>\n' +
    '      <predictor type="OSP_DC" score="1.54" band="Very High" algorithmVersion="1.0"/>\n' +
    '      <predictor type="RM2000_S" points="4" band="high"/>\n' +
    "    </predictors>\n" +
    '    <riskManagementPlan><mappa category="1" level="2"/><answer q="RM8">YES</answer>\n' +
    `      <supervision>${details}</supervision></riskManagementPlan>\n` +
    "  </assessment>\n";
  return xml;
}

/** A small assessment (a handful of answers), for tests that need many records quickly. */
export function compactAssessmentXml(pk: number): string {
  return (
    `<assessment assessmentPk="${pk}" type="LAYER3" status="COMPLETE" purposeCode="270">` +
    `<offender><crn>X${String(pk % 1000000).padStart(6, "0")}</crn></offender>` +
    `<section code="11"><answer q="11.11">${pk % 3}</answer><answer q="11.12">M</answer></section>` +
    '<roshSummary><riskLevel group="PUBLIC" setting="COMMUNITY">High</riskLevel></roshSummary>' +
    "</assessment>\n"
  );
}

export const EXPORT_START =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<oasysExport xmlns="urn:hmpps:oasys:export:1" exportId="EXP-GENERATED-0001" generatedAt="2026-11-20T10:15:00Z">\n';
export const EXPORT_END = "</oasysExport>\n";

/**
 * The export of `count` assessments as a stream of strings, one assessment per chunk: the file is never
 * materialised. `onPull` is told how many chunks have been handed out so far.
 */
export async function* exportChunks(
  count: number,
  assessment: (pk: number) => string = assessmentXml,
  onPull: (pulled: number) => void = () => {},
): AsyncGenerator<string> {
  let pulled = 0;
  onPull(++pulled);
  yield EXPORT_START;
  for (let pk = 1; pk <= count; pk++) {
    onPull(++pulled);
    yield assessment(pk);
  }
  onPull(++pulled);
  yield EXPORT_END;
}
