/**
 * `GET /v1/deliveries`: push status. Outbox rows (one message to one agency, without its body: bodies hold
 * personal data and can be large) with every delivery attempt and receipt, newest first, keyset-paged.
 * Only rows of persons the caller may see are listed (in the query), each as the access policy's
 * visibility shows it to the caller (`request.viewer`): a limited-access offender's rows reduced to their
 * push status for a caller without lao_access.
 */
import type { FastifyPluginAsync } from "fastify";
import { attemptsForMany } from "../../store/repositories/deliveries.ts";
import {
  listOutbox,
  MAX_OUTBOX_PAGE,
  type OutboxState,
  type Recipient,
} from "../../store/repositories/outbox.ts";
import type { RouteDeps } from "../deps.ts";
import { ref } from "../schemas.ts";
import { deliveryView } from "../views.ts";
import { showEach } from "../visible.ts";

export const OUTBOX_STATES = ["PENDING", "IN_FLIGHT", "DELIVERED", "DEAD", "SUPERSEDED"] as const;

export const deliveriesRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.get(
    "/v1/deliveries",
    {
      schema: {
        tags: ["deliveries"],
        summary: "Push status: outbox rows with their delivery attempts, newest first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            state: { type: "array", items: { enum: [...OUTBOX_STATES] }, maxItems: 5 },
            recipient: { enum: ["ARMS", "OASYS"] },
            kind: { enum: ["ARMS_DRAFT", "PARTNER_RISK_UPDATE", "CORRECTION_NOTICE"] },
            personId: { type: "string", format: "uuid" },
            limit: { type: "integer", minimum: 1, maximum: MAX_OUTBOX_PAGE, default: 50 },
            cursor: { type: "string", maxLength: 200 },
          },
        },
        response: { 200: ref("DeliveryPage") },
      },
    },
    async (request) => {
      const q = request.query as {
        state?: OutboxState[];
        recipient?: Recipient;
        kind?: "ARMS_DRAFT" | "PARTNER_RISK_UPDATE" | "CORRECTION_NOTICE";
        personId?: string;
        limit?: number;
        cursor?: string;
      };
      const page = await listOutbox(deps.db, {
        ...(q.state ? { state: q.state } : {}),
        ...(q.recipient ? { recipient: q.recipient } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.personId ? { personId: q.personId } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        cursor: q.cursor ?? null,
        scope: request.viewer.scope("Delivery"),
      });
      const attempts = await attemptsForMany(
        deps.db,
        page.items.map((r) => r.id),
      );
      const views = page.items.map((row) => deliveryView(row, attempts.get(row.id) ?? []));
      return {
        items: await showEach(deps.db, request.viewer, "Delivery", views),
        nextCursor: page.nextCursor,
      };
    },
  );
};
