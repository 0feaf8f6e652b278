/**
 * Dead letters: work that failed permanently, listed newest first, and replayed through the same
 * pipeline (src/queue/replay.ts: the original job key plus a replay suffix; a PUSH letter also reopens its
 * outbox row). Replaying keeps the letter, stamped, so the history stays; a letter is replayed once.
 * Discarding (a person's decision, with a reason) keeps it too, stamped and audited; a discarded letter is
 * never replayed. The web's operations page calls the same two functions.
 */
import type { FastifyPluginAsync } from "fastify";
import { BridgeError } from "../../errors.ts";
import { replayDeadLetter } from "../../queue/replay.ts";
import {
  type DeadLetterStage,
  discardDeadLetter,
  listDeadLetters,
} from "../../store/repositories/dead-letters.ts";
import { auditActor } from "../audit-actor.ts";
import { enqueue, type RouteDeps } from "../deps.ts";
import { notFound } from "../errors.ts";
import { ref } from "../schemas.ts";
import { deadLetterView } from "../views.ts";

export const deadLettersRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.get(
    "/v1/dead-letters",
    {
      schema: {
        tags: ["dead letters"],
        summary: "Dead letters, newest first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            stage: { enum: ["INGEST", "RECONCILE", "PUSH"] },
            errorCode: { type: "string", pattern: "^BRIDGE_E_[A-Z0-9_]+$" },
            state: { enum: ["OPEN", "REPLAYED", "DISCARDED", "ALL"], default: "ALL" },
            createdAfter: { type: "string", format: "date-time" },
            createdBefore: { type: "string", format: "date-time" },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
            cursor: { type: "string", maxLength: 200 },
          },
        },
        response: { 200: ref("DeadLetterPage") },
      },
    },
    async (request) => {
      const q = request.query as {
        stage?: DeadLetterStage;
        errorCode?: string;
        state?: "OPEN" | "REPLAYED" | "DISCARDED" | "ALL";
        createdAfter?: string;
        createdBefore?: string;
        limit?: number;
        cursor?: string;
      };
      const page = await listDeadLetters(deps.db, {
        ...(q.stage ? { stage: q.stage } : {}),
        ...(q.errorCode ? { errorCode: q.errorCode } : {}),
        ...(q.state ? { state: q.state } : {}),
        ...(q.createdAfter ? { createdAfter: q.createdAfter } : {}),
        ...(q.createdBefore ? { createdBefore: q.createdBefore } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        cursor: q.cursor ?? null,
      });
      return { items: page.items.map(deadLetterView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    "/v1/dead-letters/:id/replay",
    {
      bodyLimit: 1024,
      schema: {
        tags: ["dead letters"],
        summary: "Put a dead letter's work back through the pipeline (once per letter)",
        description:
          "202 when the work is queued again. A letter is replayed once: asking again (or while its replay runs) queues nothing and writes no letter, and answers 200 with replayed: false and where the replay stands (a replay that failed again left a letter of its own, nextDeadLetterId).",
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", format: "uuid" } },
        },
        response: { 200: ref("ReplayResult"), 202: ref("ReplayResult") },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const producer = deps.producer;
      if (!producer.add) {
        throw new BridgeError("BRIDGE_E_QUEUE_UNAVAILABLE", "this service's producer cannot replay jobs");
      }
      const add = producer.add.bind(producer);
      let replayed: Awaited<ReturnType<typeof replayDeadLetter>> | undefined;
      await enqueue(async () => {
        replayed = await replayDeadLetter(deps.db, { add }, id, new Date(deps.nowIso()));
      });
      request.log.info(
        {
          deadLetterId: id,
          jobKey: replayed?.jobKey,
          replayed: replayed?.replayed,
          state: replayed?.replayState,
        },
        replayed?.replayed ? "dead letter replayed" : "dead letter replayed before: nothing queued",
      );
      return reply.code(replayed?.replayed ? 202 : 200).send(replayed);
    },
  );

  app.post(
    "/v1/dead-letters/:id/discard",
    {
      bodyLimit: 4096,
      schema: {
        tags: ["dead letters"],
        summary: "Discard a dead letter with a reason: it is kept, never replayed",
        description:
          "The letter is stamped with the reason, the signed-in person and the time, and the discard is an ALTERATION in the audit trail; nothing is deleted. Discarding a letter discarded before answers it as it stands; a replayed letter cannot be discarded (409).",
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", format: "uuid" } },
        },
        body: {
          type: "object",
          additionalProperties: false,
          required: ["reason"],
          properties: { reason: { type: "string", minLength: 1, maxLength: 1000, pattern: "\\S" } },
        },
        response: { 200: ref("DeadLetter") },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { reason } = request.body as { reason: string };
      const done = await discardDeadLetter(deps.db, id, {
        ...auditActor(request),
        reason,
        at: deps.nowIso(),
        correlationId: request.id,
      });
      if (!done) notFound("dead letter");
      request.log.info({ deadLetterId: id, discarded: done.discarded }, "dead letter discarded");
      return deadLetterView(done.letter);
    },
  );
};
