/** Content hashes the store keys on: raw bytes, and JSON documents in canonical (key-sorted) form. */
import { createHash } from "node:crypto";
import { canonicalSha256 } from "../core/canonical-json.ts";

export const sha256Hex = (bytes: Uint8Array | string): string =>
  createHash("sha256").update(bytes).digest("hex");

/** Equal documents hash equally whatever their key order. */
export const documentSha256 = (document: unknown): string => canonicalSha256(document);
