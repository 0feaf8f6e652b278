/**
 * Usage errors are the same for every command `bridge` runs: one line saying what is wrong, the command's
 * one-line usage, exit 1; never the whole --help text, never a stack trace, nothing on stdout.
 */
import { describe, expect, it } from "vitest";
import { commandNames, main } from "../../src/cli/main.ts";
import { argsProblem, commandOf, usageLine } from "../../src/cli/usage.ts";
import { captureIo } from "./capture.ts";

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(argv, io);
  return { code, out: stdout.text, err: stderr.text };
}

/** Two lines: `<command>: <why>` and `usage: bridge <command>...`, nothing else. */
function expectUsageError(r: { code: number; out: string; err: string }, command: string, why: string) {
  expect(r.code).toBe(1);
  expect(r.out).toBe("");
  const lines = r.err.split("\n");
  expect(lines, r.err).toHaveLength(3);
  expect(lines[0]).toBe(`${command}: ${why}`);
  expect(lines[1]).toMatch(new RegExp(`^usage: ${command.split(" ").slice(0, 2).join(" ")}( |$)`));
  expect(lines[2]).toBe("");
}

describe("usage errors", () => {
  it.each(commandNames())("bridge %s refuses an unknown option in two lines, exit 1", async (name) => {
    const r = await run(name, "--no-such-option");
    // The prefix may name the action too (`bridge retention run: ...`).
    const command = /^[^:]*/.exec(r.err)?.[0] ?? "";
    expect(command).toMatch(new RegExp(`^bridge ${name}( [a-z]+)?$`));
    expectUsageError(r, command, "unknown option '--no-such-option'");
  });

  it.each(commandNames())("bridge %s has a one-line usage and --help", async (name) => {
    const help = await run(name, "--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(new RegExp(`^usage: bridge ${name}`));
    const refused = await run(name, "--no-such-option");
    const usage = refused.err.split("\n")[1] ?? "";
    expect(usage.length).toBeLessThanOrEqual(110);
  });

  it.each([
    [["demo", "--frob"], "bridge demo", "unknown option '--frob'"],
    [["demo", "--examples"], "bridge demo", "--examples needs a value"],
    [["demo", "--json=yes"], "bridge demo", "--json takes no value"],
    [["parse"], "bridge parse", "no file given"],
    [["parse", "--json", "--ndjson", "a.xml"], "bridge parse", "--json and --ndjson are exclusive"],
    [["parse", "-", "-"], "bridge parse", "'-' (stdin) can be given once"],
    [["prefill"], "bridge prefill", "no file given"],
    [["prefill", "a.xml", "--mapping"], "bridge prefill", "--mapping needs a value"],
    [["mapping"], "bridge mapping", "a command is needed: test, diff or coverage"],
    [["mapping", "frob"], "bridge mapping", 'unknown command "frob": test, diff or coverage'],
    [["mapping", "diff", "a.xml"], "bridge mapping diff", "--from, --to and at least one file are required"],
    [["mapping", "coverage"], "bridge mapping coverage", "at least one file is required"],
    [["mapping", "test", "a.xml"], "bridge mapping test", "test takes no file"],
    [["reconcile"], "bridge reconcile", "no input files"],
    [
      ["reconcile", "a.xml"],
      "bridge reconcile",
      'unexpected argument "a.xml": files follow --oasys or --arms',
    ],
    [["reconcile", "--oasys", "a.xml", "--bogus=1"], "bridge reconcile", "unknown option '--bogus'"],
    [["serve", "extra"], "bridge serve", 'unexpected argument "extra": this command takes options only'],
    [["worker", "--grace-ms", "soon"], "bridge worker", "--grace-ms must be a whole number of milliseconds"],
    [["idp", "--port", "70000"], "bridge idp", "--port must be 0 to 65535"],
    [["idp", "frob"], "bridge idp", 'unexpected argument "frob"'],
    [["idp", "token"], "bridge idp", "token: name a seeded person or system"],
    [["simulate", "--port", "70000"], "bridge simulate", "--port must be 0 to 65535"],
    [["dlq"], "bridge dlq", "an action is needed: list, show or replay"],
    [["dlq", "purge"], "bridge dlq", 'unknown action "purge"'],
    [["dlq", "list", "x"], "bridge dlq", "list takes no id"],
  ])("%j: %s: %s", async (argv, command, why) => {
    expectUsageError(await run(...argv), command, why);
  });

  it("an unknown command gets the same shape", async () => {
    expectUsageError(await run("frob"), "bridge", `unknown command "frob" ('bridge --help' lists them)`);
  });

  it("never echoes an argument shaped like personal data (a PNC, a date)", async () => {
    for (const argv of [
      ["serve", "2004/0345678X"],
      ["reconcile", "1975-03-22"],
      ["dlq", "Holloway-1975-03-22"],
    ]) {
      const r = await run(...argv);
      expect(r.code).toBe(1);
      expect(r.err).toContain("not quoted");
      for (const personal of ["0345678X", "1975-03-22"]) expect(r.err).not.toContain(personal);
    }
  });
});

describe("the usage helpers", () => {
  it("name the command of a usage line and take the first line of a HELP", () => {
    expect(commandOf("bridge mapping diff --from <m> --to <m> <file.xml>... [--json]")).toBe(
      "bridge mapping diff",
    );
    expect(commandOf("bridge dlq list|show <id>|replay <id> [options]")).toBe("bridge dlq");
    expect(commandOf("bridge demo")).toBe("bridge demo");
    expect(usageLine("usage: bridge demo [--json]\n\nRuns...")).toBe("bridge demo [--json]");
  });

  it("word parseArgs errors their own way", () => {
    const error = (code: string, message: string) => Object.assign(new TypeError(message), { code });
    expect(argsProblem(error("ERR_PARSE_ARGS_UNKNOWN_OPTION", "Unknown option '-x'. To specify..."))).toBe(
      "unknown option '-x'",
    );
    expect(
      argsProblem(
        error("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", "Option '-j, --json' does not take an argument"),
      ),
    ).toBe("--json takes no value");
  });
});
