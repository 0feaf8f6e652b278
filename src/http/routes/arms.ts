/**
 * `POST /v1/arms/assessments`: ARMS interchange documents (`arms-interchange/1`, contract §3), one object
 * or an array. Each document is checked and stored on its own (src/ingest/arms/document.ts,
 * src/store/repositories/arms.ts): a bad document is reported with its JSON pointer and reason and never
 * loses the others. A document that is (or already was) the current revision of its ARMS assessment queues
 * a reconciliation of its person. 202 with one outcome per document, in input order.
 */
import type { FastifyPluginAsync } from "fastify";
import { DEFAULT_LIMITS } from "../../config.ts";
import { isBridgeError } from "../../errors.ts";
import { checkArmsDocument, documentIdentity } from "../../ingest/arms/document.ts";
import { saveArmsRevision } from "../../store/repositories/arms.ts";
import { enqueue, type RouteDeps } from "../deps.ts";
import { ref } from "../schemas.ts";

export const MAX_ARMS_DOCUMENTS = 10_000;
/**
 * Any object here: each document is checked on its own by the handler, so one bad document is reported
 * in the answer instead of refusing the others. `additionalProperties` is said so that the description
 * (and a client generated from it) takes a document's fields rather than an empty object.
 */
const ARMS_DOCUMENT = {
  type: "object",
  additionalProperties: true,
  description: "An ARMS interchange document (arms-interchange/1)",
} as const;

interface DocumentOutcome {
  index: number;
  armsAssessmentId: string | null;
  revision: number | null;
  outcome: "STORED_CURRENT" | "STORED_HISTORY" | "DUPLICATE" | "REJECTED";
  queued?: boolean;
  error?: { code: string; path: string; reason: string };
}

export const armsRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.post(
    "/v1/arms/assessments",
    {
      // Its own limit (HTTP_ARMS_BODY_LIMIT_BYTES), not the exports' one: a batch of documents, still JSON.
      bodyLimit: deps.config.limits?.armsBodyLimitBytes ?? DEFAULT_LIMITS.armsBodyLimitBytes,
      schema: {
        tags: ["arms"],
        summary: "Receive completed ARMS assessments (one document or an array)",
        body: {
          anyOf: [
            ARMS_DOCUMENT,
            { type: "array", minItems: 1, maxItems: MAX_ARMS_DOCUMENTS, items: ARMS_DOCUMENT },
          ],
        },
        response: { 202: ref("ArmsAccepted") },
      },
    },
    async (request, reply) => {
      const body = request.body as object | object[];
      const documents = Array.isArray(body) ? body : [body];
      const now = deps.nowIso();
      const outcomes: DocumentOutcome[] = [];
      for (const [i, doc] of documents.entries()) {
        const index = i + 1;
        const checked = checkArmsDocument(doc);
        if (!checked.ok) {
          outcomes.push({
            index,
            ...documentIdentity(doc),
            outcome: "REJECTED",
            error: { code: "BRIDGE_E_ARMS_INVALID", path: checked.path, reason: checked.reason },
          });
          continue;
        }
        const { armsAssessmentId, revision } = checked.arms;
        try {
          const saved = await saveArmsRevision(deps.db, checked.arms, now);
          if (saved.current) {
            await enqueue(() =>
              deps.producer.reconcile({ source: "ARMS", record: armsAssessmentId, revision }),
            );
          }
          outcomes.push({ index, armsAssessmentId, revision, outcome: saved.outcome, queued: saved.current });
        } catch (error) {
          // A revision already held with other content is this document's fault, not the request's.
          if (!isBridgeError(error) || error.code !== "BRIDGE_E_ARMS_REVISION_CONFLICT") throw error;
          outcomes.push({
            index,
            armsAssessmentId,
            revision,
            outcome: "REJECTED",
            error: { code: error.code, path: "/revision", reason: error.detail },
          });
        }
      }
      const stored = outcomes.filter((o) => o.outcome !== "REJECTED").length;
      request.log.info({ stored, rejected: outcomes.length - stored }, "ARMS documents received");
      return reply.code(202).send({ stored, rejected: outcomes.length - stored, documents: outcomes });
    },
  );
};
