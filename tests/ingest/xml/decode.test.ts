/**
 * The reader's UTF-8 decoding: pieces of pure ASCII skip the decoder once it is settled, and every piece
 * is decoded before any is returned. The text must be exactly what one fatal TextDecoder gives.
 */
import { describe, expect, it } from "vitest";
import { Utf8Decoder } from "../../../src/ingest/xml/decode.ts";

const PIECE = 64;
const where = () => ({ line: 1, column: 1 });

/** Decodes `bytes` read in chunks of `chunk` bytes, as the reader does; the text, or the thrown error. */
function decodeAll(bytes: Uint8Array, chunk: number): string {
  const decoder = new Utf8Decoder(where);
  let text = "";
  for (let at = 0; at < bytes.byteLength; at += chunk) {
    for (const piece of decoder.decodePieces(bytes.subarray(at, at + chunk), PIECE)) text += piece;
  }
  return text + decoder.end();
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const ascii = (n: number) => "a".repeat(n);

describe("Utf8Decoder", () => {
  it.each([
    [
      "U+FEFF at a piece start after ASCII pieces is content, not a byte order mark",
      `${ascii(2 * PIECE)}\uFEFFx`,
    ],
    ["a 2-byte character split across pieces", `${ascii(PIECE - 1)}é${ascii(PIECE)}`],
    ["a 3-byte character split across pieces", `${ascii(PIECE - 2)}€${ascii(PIECE)}`],
    ["a 4-byte character split across pieces", `${ascii(PIECE - 3)}\u{1F600}${ascii(3 * PIECE)}`],
    ["ASCII pieces after a multi-byte one", `é${ascii(4 * PIECE)}ü${ascii(PIECE)}`],
  ])("%s", (_, text) => {
    for (const chunk of [PIECE, 2 * PIECE + 1, 4 * PIECE, 1000]) {
      expect(decodeAll(utf8(text), chunk)).toBe(text);
    }
  });

  it("drops a byte order mark at the very start only", () => {
    const bytes = utf8(`\uFEFF${ascii(3 * PIECE)}\uFEFF`);
    expect(decodeAll(bytes, 4 * PIECE)).toBe(`${ascii(3 * PIECE)}\uFEFF`);
  });

  it("fails on invalid UTF-8 after ASCII pieces, naming the whole chunk and returning none of it", () => {
    const bytes = new Uint8Array([...utf8(ascii(3 * PIECE)), 0xc3, 0x28]);
    const decoder = new Utf8Decoder(where);
    expect(decoder.decodePieces(bytes.subarray(0, PIECE), PIECE)).toEqual([ascii(PIECE)]);
    expect(() => decoder.decodePieces(bytes.subarray(PIECE), PIECE)).toThrow(
      `bytes that are not valid UTF-8 within bytes ${PIECE}-${bytes.byteLength}`,
    );
  });

  it("fails on a character cut off by a pure ASCII piece (the decoder was holding its first byte)", () => {
    const bytes = new Uint8Array([...utf8(ascii(PIECE - 1)), 0xc3, ...utf8(ascii(PIECE))]);
    expect(() => decodeAll(bytes, 4 * PIECE)).toThrow("not valid UTF-8");
    expect(() => decodeAll(bytes, PIECE)).toThrow("not valid UTF-8");
  });

  it("fails on a character cut off by the end of the input", () => {
    const bytes = new Uint8Array([...utf8(ascii(2 * PIECE)), 0xe2, 0x82]);
    expect(() => decodeAll(bytes, PIECE)).toThrow("not valid UTF-8");
  });

  it("fails on a lone continuation byte at the start of a piece", () => {
    const bytes = new Uint8Array([...utf8(ascii(2 * PIECE)), 0x80, ...utf8(ascii(10))]);
    expect(() => decodeAll(bytes, 4 * PIECE)).toThrow("not valid UTF-8");
  });
});
