/**
 * OASys exports in (`POST /v1/oasys/exports`: XML or a JSON bundle) and their processing status
 * (`GET /v1/exports/{id}`). The intake rules are in ../intake/oasys-exports.ts.
 */
import { createHash } from "node:crypto";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { BridgeError } from "../../errors.ts";
import { getExportMeta } from "../../store/repositories/exports.ts";
import { assessmentsOfExport } from "../../store/repositories/oasys.ts";
import { isRawBody, type RawBody, registerXmlBody } from "../body.ts";
import type { RouteDeps } from "../deps.ts";
import { notFound } from "../errors.ts";
import { acceptJsonBundle, acceptXmlExport, type ExportBundle } from "../intake/oasys-exports.ts";
import { ref } from "../schemas.ts";

const XML_BODY = {
  schema: {
    type: "string",
    format: "binary",
    description: "An OASys export, urn:hmpps:oasys:export:1 (UTF-8)",
  },
};

declare module "fastify" {
  interface FastifyRequest {
    /** The exact bytes of a JSON body and their sha256 (exports only: duplicate recognition). */
    rawJson: RawBody | null;
  }
}

export const exportsRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  const limit = deps.config.http.bodyLimitBytes;
  registerXmlBody(app, limit);
  // JSON for this plugin only: keep the exact bytes (stored as the raw export and hashed for duplicates).
  app.decorateRequest("rawJson", null);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "buffer", bodyLimit: limit },
    (request: FastifyRequest, body: Buffer, done) => {
      request.rawJson = { bytes: body, sha256: createHash("sha256").update(body).digest("hex") };
      try {
        done(null, JSON.parse(body.toString("utf8")));
      } catch {
        done(new BridgeError("BRIDGE_E_REQUEST_INVALID", "the body is not valid JSON"), undefined);
      }
    },
  );

  app.post(
    "/v1/oasys/exports",
    {
      bodyLimit: limit,
      schema: {
        tags: ["oasys"],
        summary: "Receive an OASys export (XML, or a JSON bundle of canonical assessments)",
        description:
          "202 with each assessment's acceptance and the export id; 200 with duplicate: true when the same bytes were received before (nothing is processed again). A whole-file fault refuses the request with its registry code and stores nothing.",
        body: {
          content: {
            "application/xml": XML_BODY,
            "text/xml": XML_BODY,
            "application/json": { schema: ref("ExportBundle") },
          },
        },
        response: { 200: ref("ExportAccepted"), 202: ref("ExportAccepted") },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = isRawBody(body)
        ? await acceptXmlExport(deps, body)
        : await acceptJsonBundle(deps, body as ExportBundle, request.rawJson as RawBody);
      request.log.info(
        {
          exportId: result.exportId,
          duplicate: result.duplicate,
          accepted: result.accepted,
          rejected: result.rejected,
        },
        "export received",
      );
      return reply.code(result.duplicate ? 200 : 202).send(result);
    },
  );

  app.get(
    "/v1/exports/:id",
    {
      schema: {
        tags: ["oasys"],
        summary: "A stored export and the assessments stored from it",
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", format: "uuid" } },
        },
        response: { 200: ref("ExportView") },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const meta = (await getExportMeta(deps.db, id)) ?? notFound("export");
      const assessments = await assessmentsOfExport(deps.db, id);
      return { ...meta, assessments };
    },
  );
};
