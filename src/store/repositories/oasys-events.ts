/**
 * OASys `assessment.summary.produced` events accepted at POST /v1/oasys/events. An event is stored before
 * the API answers 202, so it outlives Redis: `ingested_at` stays null until its pull job has finished
 * (src/queue/processors/ingest.ts), and the recovery sweep queues the pull again for an event left
 * without a job. Stored once per event id (the id is derived from the event, so a re-delivery is the same
 * row). Ids only: the CRN and assessment pk the pull needs.
 */
import type { Db } from "../db.ts";

export interface AcceptedEvent {
  eventId: string;
  crn: string;
  assessmentPk: number;
  receivedAt: string;
}

/** Stores the event unless it is held already (one statement); true when it is new. */
export async function saveAcceptedEvent(db: Db, event: AcceptedEvent): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO oasys_events (event_id, crn, assessment_pk, received_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [event.eventId, event.crn, event.assessmentPk, event.receivedAt],
  );
  return rows.length === 1;
}

export async function getAcceptedEvent(
  db: Db,
  eventId: string,
): Promise<(AcceptedEvent & { ingestedAt: string | null }) | null> {
  const rows = await db.query<AcceptedEvent & { ingestedAt: string | null }>(
    `SELECT event_id AS "eventId", crn, assessment_pk AS "assessmentPk", received_at AS "receivedAt",
            ingested_at AS "ingestedAt"
       FROM oasys_events WHERE event_id = $1`,
    [eventId],
  );
  return rows[0] ?? null;
}
