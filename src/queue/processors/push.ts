/**
 * The push stages (one queue per agency): deliver one outbox row through src/deliver/deliver.ts, which
 * claims the row, skips it when a newer row supersedes it, sends it and settles it. Here its outcome
 * becomes the job's:
 * - DELIVERED, ALREADY_DELIVERED, SUPERSEDED: done;
 * - BUSY (the row, or another for the same person and agency, is in flight elsewhere): back to delayed
 *   for the time the lease has left, without spending an attempt;
 * - RETRY: thrown as RetryLater carrying the agency's Retry-After, so the backoff waits at least that;
 * - DEAD (permanent refusal, or the last attempt failed): a dead letter (one per dead row), no retry.
 */
import { performance } from "node:perf_hooks";
import { tokenProviderFor } from "../../clients/token.ts";
import type { AgencyEndpoint, Config } from "../../config.ts";
import { type AgencyClient, createAgencyClient } from "../../deliver/agency-client.ts";
import { BUSY_RETRY_MS, type DeliverResult, deliverOutboxRow } from "../../deliver/deliver.ts";
import { BridgeError } from "../../errors.ts";
import type { PushOutcome } from "../../observability/metrics.ts";
import { findOpenDeadLetter } from "../../store/repositories/dead-letters.ts";
import type { JobMeta, PipelineContext, StepResult } from "../context.ts";
import { deadLetter, RetryLater } from "../failure.ts";
import type { PushJob, Recipient } from "../jobs.ts";

export type AgencyClients = Record<Recipient, AgencyClient>;

/** A client for an agency whose endpoint is not configured: every push fails permanently, saying so. */
function unconfigured(recipient: Recipient): AgencyClient {
  return {
    recipient,
    deliver: async () => {
      throw new BridgeError(
        "BRIDGE_E_CONFIG_INVALID",
        `${recipient}_BASE_URL is needed to push to ${recipient}`,
      );
    },
  };
}

function clientFor(recipient: Recipient, endpoint: AgencyEndpoint): AgencyClient {
  if (!endpoint.baseUrl) return unconfigured(recipient);
  const tokenProvider = tokenProviderFor(endpoint);
  return createAgencyClient({
    recipient,
    baseUrl: endpoint.baseUrl,
    timeoutMs: endpoint.timeoutMs,
    ...(tokenProvider ? { tokenProvider } : {}),
  });
}

export function agencyClientsFrom(config: Config): AgencyClients {
  return { ARMS: clientFor("ARMS", config.arms), OASYS: clientFor("OASYS", config.oasys) };
}

function pushOutcomeOf(result: DeliverResult): PushOutcome | null {
  if (result.httpStatus === undefined) return null; // nothing was sent (settled before, superseded, busy)
  if (result.outcome === "DELIVERED") return result.alreadyHeld ? "already_held" : "delivered";
  if (result.outcome === "RETRY") return result.httpStatus === null ? "timeout" : "retry";
  if (result.outcome === "DEAD") return "permanent_failure";
  return null;
}

export function processPush(agencies: AgencyClients, recipient: Recipient) {
  return async (ctx: PipelineContext, job: PushJob, meta: JobMeta): Promise<StepResult> => {
    const started = performance.now();
    const result = await deliverOutboxRow(ctx.db, agencies, job.outboxId, {
      worker: ctx.workerId,
      now: ctx.now().toISOString(),
      attempt: meta.attempt,
      maxAttempts: meta.maxAttempts,
      ...(ctx.pushLeaseMs ? { leaseMs: ctx.pushLeaseMs } : {}),
    });
    const sent = pushOutcomeOf(result);
    if (sent) ctx.metrics?.pushAttempted(recipient, sent, (performance.now() - started) / 1000);

    switch (result.outcome) {
      case "DELIVERED":
      case "ALREADY_DELIVERED":
      case "SUPERSEDED":
        return {
          outcome: "completed",
          summary: {
            outboxId: job.outboxId,
            recipient,
            delivery: result.outcome,
            ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }),
            ...(result.alreadyHeld ? { alreadyHeld: true } : {}),
          },
        };
      case "BUSY":
        return { outcome: "completed", delayMs: result.retryAfterMs ?? BUSY_RETRY_MS };
      case "RETRY":
        throw new RetryLater(
          result.errorCode ?? "BRIDGE_E_HTTP_UNAVAILABLE",
          result.reason ?? "the agency asked for a retry",
          result.retryAfterMs ?? null,
        );
      case "DEAD": {
        const held = await findOpenDeadLetter(ctx.db, "PUSH", { data: { outboxId: job.outboxId } });
        const letter =
          held ??
          (await deadLetter(ctx.db, {
            subject: { queue: meta.queue, jobKey: meta.jobKey, data: job },
            code: result.errorCode ?? "BRIDGE_E_INTERNAL",
            reason: result.reason ?? "the outbox row is dead",
            attempts: meta.attempt,
            at: ctx.now().toISOString(),
          }));
        return { outcome: "completed", deadLetterId: letter.id };
      }
    }
  };
}
