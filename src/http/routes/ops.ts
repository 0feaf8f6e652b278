/**
 * Operations: liveness (`/health`: the process answers), readiness (`/ready`: every dependency answers;
 * 503 naming the ones that do not) and Prometheus metrics (`/metrics`).
 */
import type { FastifyPluginAsync } from "fastify";
import type { RouteDeps } from "../deps.ts";
import { runChecks } from "../readiness.ts";
import { ref } from "../schemas.ts";

export const opsRoutes: FastifyPluginAsync<{ deps: RouteDeps }> = async (app, { deps }) => {
  app.get(
    "/health",
    {
      schema: {
        tags: ["ops"],
        summary: "Liveness: the process is up and answering",
        response: { 200: ref("Health") },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/ready",
    {
      schema: {
        tags: ["ops"],
        summary: "Readiness: Redis, the database and its migrations",
        description: "503 when any check fails; `checks` names each check and why it failed.",
        response: { 200: ref("Readiness"), 503: ref("Readiness") },
      },
    },
    async (_request, reply) => {
      const result = await runChecks(deps.readiness);
      return reply
        .code(result.ready ? 200 : 503)
        .send({ status: result.ready ? "ready" : "unavailable", checks: result.checks });
    },
  );

  app.get(
    "/metrics",
    {
      schema: {
        tags: ["ops"],
        summary: "Prometheus metrics (text exposition format)",
        // For the description only: a text body is sent as it is, never through the response serializer.
        response: {
          200: {
            description: "The metrics, in the text exposition format",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        },
      },
    },
    async (_request, reply) => {
      const text = await deps.metrics.render();
      return reply.type(deps.metrics.contentType).send(text);
    },
  );
};
