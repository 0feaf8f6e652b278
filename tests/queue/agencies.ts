/**
 * Both agencies' push endpoints as nock interceptors: every request is recorded (recipient, Idempotency-Key,
 * body), and each recipient answers from a script of statuses (then 201 with a receipt).
 */
import nock from "nock";
import type { Recipient } from "../../src/queue/jobs.ts";

export interface Received {
  recipient: Recipient;
  idempotencyKey: string;
  body: string;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  /** Hold the answer this long (a slow agency). */
  delayMs?: number;
}

export interface Agencies {
  received: Received[];
  script(recipient: Recipient, ...replies: ScriptedReply[]): void;
  of(recipient: Recipient): Received[];
  done(): void;
}

const ENDPOINT: Record<Recipient, [string, string]> = {
  ARMS: ["http://police.test", "/arms/v1/prefilled-assessments"],
  OASYS: ["http://probation.test", "/oasys/v1/partner-risk-updates"],
};

export function fakeAgencies(): Agencies {
  const received: Received[] = [];
  const scripts: Record<Recipient, ScriptedReply[]> = { ARMS: [], OASYS: [] };
  let receipt = 0;
  for (const recipient of ["ARMS", "OASYS"] as const) {
    const [base, path] = ENDPOINT[recipient];
    nock(base)
      .persist()
      .post(path)
      .reply(async function (_uri, body) {
        const key = this.req.headers["idempotency-key"];
        received.push({
          recipient,
          idempotencyKey: Array.isArray(key) ? (key[0] ?? "") : (key ?? ""),
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
        const next = scripts[recipient].shift() ?? { status: 201 };
        if (next.delayMs) await new Promise((resolve) => setTimeout(resolve, next.delayMs));
        const answer = next.status < 300 ? { receiptId: `R-${++receipt}` } : { error: { code: "REFUSED" } };
        return [next.status, answer, next.headers ?? {}];
      });
  }
  return {
    received,
    script: (recipient, ...replies) => scripts[recipient].push(...replies),
    of: (recipient) => received.filter((r) => r.recipient === recipient),
    done: () => nock.cleanAll(),
  };
}
