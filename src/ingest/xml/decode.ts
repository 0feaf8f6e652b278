/**
 * Streaming UTF-8 decoding for the XML reader. The export format is UTF-8 (a UTF-8 byte order mark is
 * accepted and dropped). UTF-16/UTF-32 input is recognised by its first bytes and refused clearly rather
 * than parsed as garbage; bytes that are not valid UTF-8 fail the file. A character split across chunks
 * is carried over to the next chunk.
 */
import { isAscii } from "node:buffer";
import { BridgeError } from "../../errors.ts";

type Where = () => { line: number; column: number };

/** First bytes of encodings the reader refuses: UTF-32 and UTF-16 BOMs, and `<` or `<?` in UTF-16. */
const FOREIGN_STARTS: readonly (readonly number[])[] = [
  [0x00, 0x00, 0xfe, 0xff],
  [0xff, 0xfe, 0x00, 0x00],
  [0xfe, 0xff],
  [0xff, 0xfe],
  [0x00, 0x3c],
  [0x3c, 0x00],
];

export class Utf8Decoder {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  /** The first few bytes, held until there are enough to recognise the encoding. */
  private head: Uint8Array | null = new Uint8Array(0);
  private bytes = 0;
  /**
   * The decoder holds no part of a character and has seen the start of the stream (its BOM check is
   * done): true after it decoded bytes ending in an ASCII byte. Pure ASCII can then bypass it.
   */
  private settled = false;

  constructor(private readonly where: Where) {}

  /**
   * Decodes `chunk` as pieces of text of at most `pieceBytes` bytes each (so at most that many
   * characters). The whole chunk is decoded, and so checked, before any piece is returned: invalid
   * UTF-8 anywhere in it fails as it would decoded at once, naming the chunk's byte range. Each piece is a
   * string of its own (not a slice of a larger one), which the tokenizer reads faster.
   */
  decodePieces(chunk: Uint8Array, pieceBytes: number): string[] {
    let bytes = chunk;
    if (this.head !== null) {
      const head = concat(this.head, chunk);
      if (head.byteLength < 4) {
        this.head = head;
        return [];
      }
      this.head = null;
      this.refuseForeignEncoding(head);
      bytes = head;
    }
    const pieces: string[] = [];
    const from = this.bytes;
    for (let at = 0; at < bytes.byteLength || at === 0; at += pieceBytes) {
      const end = Math.min(bytes.byteLength, at + pieceBytes);
      const piece = this.piece(
        at === 0 && end === bytes.byteLength ? bytes : bytes.subarray(at, end),
        from,
        bytes.byteLength,
      );
      if (piece !== "") pieces.push(piece);
    }
    return pieces;
  }

  /** The end of input: any bytes still held must form whole characters. */
  end(): string {
    if (this.head !== null && this.head.byteLength > 0) {
      const head = this.head;
      this.head = null;
      this.refuseForeignEncoding(head);
      return this.run(head, false);
    }
    return this.run(new Uint8Array(0), false);
  }

  /**
   * One piece. ASCII bytes decode to the same characters whatever the decoder would do, so a piece of pure
   * ASCII (nearly every piece of a real export) is copied as Latin-1 when the decoder is settled: the
   * same text without the decoder's validating pass.
   */
  private piece(bytes: Uint8Array, from: number, length: number): string {
    if (this.settled && isAscii(bytes)) {
      this.bytes += bytes.byteLength;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    }
    const text = this.run(bytes, true, from, length);
    this.settled = bytes.byteLength > 0 && (bytes[bytes.byteLength - 1] as number) < 0x80;
    return text;
  }

  /** Decodes `bytes`; a fault names the range `from`..`from + length` (the chunk they belong to). */
  private run(bytes: Uint8Array, stream: boolean, from = this.bytes, length = bytes.byteLength): string {
    try {
      const text = this.decoder.decode(bytes, { stream });
      this.bytes += bytes.byteLength;
      return text;
    } catch (e) {
      const { line, column } = this.where();
      throw new BridgeError(
        "BRIDGE_E_XML_NOT_WELL_FORMED",
        `bytes that are not valid UTF-8 within bytes ${from}-${from + length} (after line ${line}, column ${column})`,
        { line, column, byteOffset: from },
        { cause: e },
      );
    }
  }

  private refuseForeignEncoding(head: Uint8Array): void {
    for (const start of FOREIGN_STARTS) {
      if (start.every((byte, i) => head[i] === byte)) {
        throw new BridgeError("BRIDGE_E_XML_ENCODING_REFUSED", "the input is UTF-16 or UTF-32, not UTF-8", {
          line: 1,
          column: 1,
        });
      }
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
