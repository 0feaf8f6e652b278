/** Loads the retention periods file once (IO at load only); the erasure job takes the parsed value. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BridgeError } from "../../errors.ts";
import { parseRetention, type RetentionPolicy } from "./policy.ts";

/** `mappings/retention.yaml` in the repository. */
export const DEFAULT_RETENTION_PATH = fileURLToPath(
  new URL("../../../mappings/retention.yaml", import.meta.url),
);

export function loadRetention(path: string = DEFAULT_RETENTION_PATH): RetentionPolicy {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new BridgeError(
      "BRIDGE_E_RETENTION_INVALID",
      `${path} could not be read`,
      { file: path },
      { cause: e },
    );
  }
  return parseRetention(text, path);
}
