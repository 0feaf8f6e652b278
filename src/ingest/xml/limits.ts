/**
 * Size and shape limits for the OASys XML export reader. Every limit exists to keep a hostile or broken
 * file from exhausting memory or CPU; the defaults are generous for real exports (an assessment is
 * ~10-20 KB, nesting is 5 deep, no element has more than 8 attributes) and strict for anything else.
 * Exceeding any limit fails the whole file with `BRIDGE_E_XML_LIMIT_EXCEEDED` naming the limit.
 */
import { BridgeError } from "../../errors.ts";

export interface XmlLimits {
  /** Bytes of input (as read, before decoding) in one file. National back-fills are several GB. */
  maxBytes: number;
  /** Element nesting depth, the root element being depth 1. */
  maxDepth: number;
  /** Attributes on one element (namespace declarations included). */
  maxAttributes: number;
  /**
   * Characters in any one token: a text node, an attribute value, a comment, a processing instruction.
   * Measured in decoded characters (UTF-16 code units), which is what the reader holds in memory.
   */
  maxTextLength: number;
  /** Characters (UTF-16 code units) of one `<assessment>` element, start tag to end tag. */
  maxAssessmentBytes: number;
  /** Characters in an element or attribute name. */
  maxNameLength: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 16 * GiB,
  maxDepth: 32,
  maxAttributes: 32,
  maxTextLength: 1 * MiB,
  maxAssessmentBytes: 16 * MiB,
  maxNameLength: 256,
});

/** Defaults overlaid with the caller's values; refuses values that are not positive whole numbers. */
export function resolveLimits(overrides: Partial<XmlLimits> = {}): XmlLimits {
  const limits: XmlLimits = { ...DEFAULT_XML_LIMITS };
  for (const name of Object.keys(DEFAULT_XML_LIMITS) as (keyof XmlLimits)[]) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new BridgeError("BRIDGE_E_CONFIG_INVALID", `XML limit ${name} must be a positive whole number`, {
        limit: name,
      });
    }
    limits[name] = value;
  }
  return limits;
}

/** The error for a limit that was exceeded: names the limit and its value, never the content. */
export function limitExceeded(
  limit: keyof XmlLimits,
  value: number,
  where: { line: number; column: number },
): BridgeError {
  return new BridgeError(
    "BRIDGE_E_XML_LIMIT_EXCEEDED",
    `${limit} (${value}) exceeded at line ${where.line}, column ${where.column}`,
    { limit, value, line: where.line, column: where.column },
  );
}
