/**
 * `POST /v1/oasys/events`: an HMPPS `assessment.summary.produced` domain event. The bridge pulls the
 * assessment it names from OASys (ORDS) in an ingest job; the response only says the pull was queued.
 * The event is stored (`oasys_events`, once per event id) before the pull is queued, so an accepted event
 * outlives Redis: the recovery sweep queues the pull again for a stored event no job has ingested.
 */
import type { FastifyPluginAsync } from "fastify";
import { saveAcceptedEvent } from "../../store/repositories/oasys-events.ts";
import { enqueue, type RouteDeps } from "../deps.ts";
import { type DomainEvent, pullRequestFrom } from "../intake/domain-event.ts";
import { ref } from "../schemas.ts";

const SMALL_BODY = 64 * 1024;

export const eventsRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.post(
    "/v1/oasys/events",
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ["oasys"],
        summary: "Receive an assessment.summary.produced event; the assessment is pulled from OASys",
        description:
          "202 when the pull is queued. The assessment pk comes from additionalInformation.assessmentPk or the asssumm detailUrl; the event id is derived from the event, so a re-delivered event queues nothing new.",
        body: ref("DomainEvent"),
        response: { 202: ref("EventAccepted") },
      },
    },
    async (request, reply) => {
      const pull = pullRequestFrom(request.body as DomainEvent);
      await saveAcceptedEvent(deps.db, { ...pull, receivedAt: deps.nowIso() });
      await enqueue(() =>
        deps.producer.ingest({
          type: "OASYS_EVENT",
          crn: pull.crn,
          assessmentPk: pull.assessmentPk,
          eventId: pull.eventId,
        }),
      );
      request.log.info({ eventId: pull.eventId, assessmentPk: pull.assessmentPk }, "event queued");
      return reply.code(202).send({ eventId: pull.eventId, assessmentPk: pull.assessmentPk, queued: true });
    },
  );
};
