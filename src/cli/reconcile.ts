/**
 * `bridge reconcile --oasys <files...> --arms <files...> [--json]`: reconcile each person found in the
 * inputs, in process (no store, no servers).
 */

import { londonToday } from "../clock.ts";
import { loadThresholds } from "../core/conflicts/load-thresholds.ts";
import { loadMapping } from "../core/mapping/load.ts";
import { groupPersons } from "../core/reconcile/persons.ts";
import { reconcilePerson } from "../core/reconcile/reconcile.ts";
import { fileLists, readInputs } from "./inputs.ts";
import { type CliIo, EXIT } from "./io.ts";
import { writer } from "./output.ts";
import { createCountProgress } from "./progress.ts";
import { formatPerson, formatProblems, formatTotals, resultJson, totalsOf } from "./reconcile-report.ts";
import { quoteArg, unknownOption, usageError, usageLine } from "./usage.ts";

export const HELP = `usage: bridge reconcile --oasys <file.xml>... --arms <file.json>... [--json]

Groups the OASys assessments and ARMS assessments by person (check-valid PNC, CRN), then for each person:
matches identity, pre-fills the ARMS draft, runs the conflict rules and says what each agency would be
sent. Nothing is proposed for sending on a weak match or while a BLOCK conflict is open.

Options
  --oasys <files...>  OASys XML exports (urn:hmpps:oasys:export:1)
  --arms <files...>   ARMS interchange documents (arms-interchange/1): one document, an array, or NDJSON
  --json              stdout: {"results":[{personKey, subject, match, draft, draftRefusal, conflicts,
                      push, outbound}], "rejected":[{file, kind, error}], "failed":[{file, code, message}]}
  (default)           a readable report per person, then totals

Exit codes
  0  every record was read and reconciled
  2  some records were rejected or a file failed; every other person was reconciled
  1  usage error
`;

export const USAGE = usageLine(HELP);

export async function reconcileCommand(argv: string[], io: CliIo): Promise<number> {
  const { lists, flags, unknown, stray } = fileLists(argv, ["oasys", "arms"], ["json", "help"]);
  if (flags.has("help")) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (unknown[0] !== undefined) return usageError(io, USAGE, unknownOption(unknown[0]));
  if (stray[0] !== undefined)
    return usageError(io, USAGE, `unexpected argument ${quoteArg(stray[0])}: files follow --oasys or --arms`);
  const oasysFiles = lists.oasys ?? [];
  const armsFiles = lists.arms ?? [];
  if (oasysFiles.length + armsFiles.length === 0) return usageError(io, USAGE, "no input files");
  const today = londonToday(io.now());
  const deps = { mapping: loadMapping(), thresholds: loadThresholds(), today };
  const inputs = await readInputs(oasysFiles, armsFiles, today, io);
  const groups = groupPersons(inputs.oasys, inputs.arms, today);
  const bar = createCountProgress({
    stream: io.stderr,
    label: "reconciling",
    total: groups.length,
    noun: "persons",
    now: () => io.now().getTime(),
  });
  const results = groups.map((g, i) => {
    const result = reconcilePerson(g, deps);
    bar.update(i + 1, 0);
    return result;
  });
  bar.done();

  const out = writer(io.stdout);
  if (flags.has("json")) {
    await out(`{"results":[`);
    for (const [i, r] of results.entries()) await out(`${i ? "," : ""}\n${JSON.stringify(resultJson(r))}`);
    await out(
      `\n],"rejected":${JSON.stringify(inputs.rejected)},"failed":${JSON.stringify(inputs.failed)}}\n`,
    );
  } else {
    for (const r of results) await out(`${formatPerson(r)}\n\n`);
    const problems = formatProblems(inputs.rejected, inputs.failed);
    if (problems) io.stderr.write(`${problems}\n`);
    await out(`${formatTotals(totalsOf(results))}\n`);
  }
  return inputs.rejected.length + inputs.failed.length > 0 ? EXIT.REJECTED : EXIT.OK;
}
