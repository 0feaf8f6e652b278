/** Loads the conflict thresholds file once (IO at load only); the rules take the parsed value. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BridgeError } from "../../errors.ts";
import { parseThresholds } from "./thresholds.ts";
import type { Thresholds } from "./types.ts";

/** `mappings/conflict-thresholds.yaml` in the repository. */
export const DEFAULT_THRESHOLDS_PATH = fileURLToPath(
  new URL("../../../mappings/conflict-thresholds.yaml", import.meta.url),
);

export function loadThresholds(path: string = DEFAULT_THRESHOLDS_PATH): Thresholds {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new BridgeError(
      "BRIDGE_E_THRESHOLDS_INVALID",
      `${path} could not be read`,
      { file: path },
      { cause: e },
    );
  }
  return parseThresholds(text, path);
}
