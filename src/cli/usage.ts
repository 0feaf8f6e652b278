/**
 * Usage errors, the same for every command: one line saying what is wrong, then the command's one-line
 * usage, on stderr, and exit 1 (never the whole --help text, never a stack trace). Each command has a
 * one-line usage string (`usageLine(HELP)`, or its own for commands with several forms) and parses its
 * arguments with `parseOptions`, which turns node:util's parseArgs errors into that shape.
 *
 * The user's own values are quoted only when harmless (`quoteInput`): an argument may be a PNC or a name.
 */
import { parseArgs } from "node:util";
import { quoteInput, quoteName } from "../core/personal-fields.ts";
import { type CliIo, EXIT } from "./io.ts";

/** The first line of a command's HELP without `usage: `: the command's one-line usage. */
export const usageLine = (help: string): string => (help.split("\n", 1)[0] ?? "").replace(/^usage: /, "");

/**
 * The command a usage line is about, for the message's prefix: its words up to the first option,
 * placeholder or set of alternatives (`bridge mapping diff --from ...` -> `bridge mapping diff`,
 * `bridge dlq list|show <id>` -> `bridge dlq`).
 */
export function commandOf(usage: string): string {
  const words = usage.split(" ");
  const end = words.findIndex((w, i) => i > 0 && (/^[-<[]/.test(w) || w.includes("|")));
  return words.slice(0, end === -1 ? words.length : end).join(" ");
}

/** An argument as a message shows it: quoted when short and not shaped like personal data. */
export const quoteArg = (value: string): string => quoteInput("argument", value);

/** "unknown option '--serve'": the option's name only, never a value given with `=`. */
export const unknownOption = (arg: string): string =>
  `unknown option '${quoteName("option", arg.replace(/=.*$/s, ""))}'`;

/** Writes the usage error (what is wrong, then the usage line) and gives the exit code. */
export function usageError(io: CliIo, usage: string, why: string): number {
  io.stderr.write(`${commandOf(usage)}: ${why}\nusage: ${usage}\n`);
  return EXIT.FATAL;
}

const firstSentence = (message: string): string => {
  const first = (message.split("\n", 1)[0] ?? "").replace(/\. .*$/, "").replace(/\.$/, "");
  return first.charAt(0).toLowerCase() + first.slice(1);
};

/** What node:util's parseArgs refused, in the commands' words. */
export function argsProblem(e: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return unknownOption(quoted);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoteArg(quoted)}: this command takes options only`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      // The quoted part names the option (`-j, --json` or `--examples <value>`), never the user's value.
      const option = quoted.replace(/^-\w, /, "").replace(/ <value>$/, "");
      if (/argument missing/.test(e.message)) return `${option} needs a value`;
      if (/does not take an argument/.test(e.message)) return `${option} takes no value`;
      return firstSentence(e.message);
    }
    default:
      return firstSentence(e.message);
  }
}

const isArgsError = (e: unknown): e is Error & { code: string } =>
  e instanceof TypeError && String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");

/**
 * node:util's parseArgs, or null after writing the usage error when the arguments are refused (the
 * caller returns EXIT.FATAL).
 */
export function parseOptions<const T extends Parameters<typeof parseArgs>[0] & object>(
  io: CliIo,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> | null {
  try {
    return parseArgs(config);
  } catch (e) {
    if (!isArgsError(e)) throw e;
    usageError(io, usage, argsProblem(e));
    return null;
  }
}
