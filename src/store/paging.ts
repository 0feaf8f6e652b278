/**
 * Keyset paging: a page ends with an opaque cursor naming its last row by (timestamp, uuid); the next page
 * starts after it. Cursors are only ever read back from clients, so a decoded one is checked strictly.
 */
import { BridgeError } from "../errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string): boolean => UUID.test(id);

export const encodeCursor = (at: string, id: string): string =>
  Buffer.from(JSON.stringify([at, id])).toString("base64url");

/** `[timestamp, id]` of the row a cursor names; BRIDGE_E_USAGE when it is not one this service issued. */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === "string" &&
      isUuid(value[1])
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // reported below
  }
  throw new BridgeError("BRIDGE_E_USAGE", "the page cursor is not one this service issued");
}
