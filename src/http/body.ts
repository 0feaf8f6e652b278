/**
 * Reading an XML request body: streamed into memory chunk by chunk under a byte limit, hashed (sha256) as
 * it arrives, so the handler has the exact bytes and their content hash without a second pass. A body over
 * the limit is refused as soon as it is known to be (from Content-Length, or from the bytes read so far)
 * with 413 BRIDGE_E_PAYLOAD_TOO_LARGE. Nothing here looks inside the XML: refusing DOCTYPE, entities and
 * malformed input is the export reader's job (src/ingest/xml/reader.ts).
 */
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BridgeError } from "../errors.ts";

export interface RawBody {
  bytes: Buffer;
  sha256: string;
}

export const XML_CONTENT_TYPES = ["application/xml", "text/xml"] as const;

export function readLimited(stream: NodeJS.ReadableStream, limit: number): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      stream.removeListener("data", onData);
      // Stop reading; the rest of the body is discarded when the connection is answered and closed.
      stream.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        fail(new BridgeError("BRIDGE_E_PAYLOAD_TOO_LARGE", `the limit is ${limit} bytes`));
        return;
      }
      hash.update(chunk);
      chunks.push(chunk);
    };
    stream.on("data", onData);
    stream.once("error", (error) =>
      fail(
        new BridgeError(
          "BRIDGE_E_FILE_UNREADABLE",
          "the request body could not be read",
          {},
          { cause: error },
        ),
      ),
    );
    stream.once("end", () => {
      if (settled) return;
      settled = true;
      resolve({ bytes: Buffer.concat(chunks, length), sha256: hash.digest("hex") });
    });
  });
}

/** Registers the XML body parser in the calling plugin's context (encapsulated: only its routes see it). */
export function registerXmlBody(app: FastifyInstance, limit: number): void {
  app.addContentTypeParser(
    [...XML_CONTENT_TYPES],
    (
      request: FastifyRequest,
      payload: NodeJS.ReadableStream,
      done: (err: Error | null, body?: RawBody) => void,
    ) => {
      const declared = Number(request.headers["content-length"]);
      if (Number.isFinite(declared) && declared > limit) {
        done(new BridgeError("BRIDGE_E_PAYLOAD_TOO_LARGE", `the limit is ${limit} bytes`));
        return;
      }
      readLimited(payload, limit).then(
        (body) => done(null, body),
        (error: Error) => done(error),
      );
    },
  );
}

export const isRawBody = (body: unknown): body is RawBody =>
  typeof body === "object" && body !== null && Buffer.isBuffer((body as RawBody).bytes);
