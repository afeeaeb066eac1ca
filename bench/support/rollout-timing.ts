import request from 'supertest';
import type { Express } from 'express';
import type { Queryable } from '../../registry/database';
import type { BulkResponseRecord } from '../../registry/bulk-responses.repository';

// One rollout timed from the caller's side: posted through the HTTP API as a client would, polled
// until it ends, and its device rows read for when the devices were sent to. Every time is from
// the instant before the POST, in seconds, on the one clock of this machine.

const platform = '/api/v1/platform';

export interface RolloutClient {
  api: string | Express;
  authorization: string;
  database: Queryable;
  pollMilliseconds: number;
}

export interface RolloutTiming {
  id: string;
  status: string;
  devices: number;
  success: number;
  // The API's 202.
  acceptedSeconds: number;
  // The first and the last device sent to (its row's sent_at).
  firstSendSeconds: number | null;
  lastSendSeconds: number | null;
  // The record's completed_at: the rollout's end as the registry has it.
  completedSeconds: number | null;
}

export async function postAction(client: RolloutClient, fleetId: string, body: object): Promise<string> {
  const response = await request(client.api)
    .post(`${platform}/fleets/${fleetId}/actions`)
    .set('Authorization', client.authorization)
    .send(body)
    .expect(202);
  return (response.body as { bulk_response_id: string }).bulk_response_id;
}

export async function readRecord(client: RolloutClient, id: string): Promise<BulkResponseRecord> {
  const response = await request(client.api)
    .get(`${platform}/bulk_responses/${id}`)
    .set('Authorization', client.authorization)
    .expect(200);
  return response.body as BulkResponseRecord;
}

export async function cancelRollout(client: RolloutClient, id: string): Promise<void> {
  await request(client.api).post(`${platform}/bulk_responses/${id}/cancel`).set('Authorization', client.authorization);
}

// Polls until the rollout has ended, or `until` says enough (e.g. a share answered), or the deadline.
export async function waitForRollout(
  client: RolloutClient,
  id: string,
  deadline: number,
  until: (record: BulkResponseRecord) => boolean = (record) => Boolean(record.completed_at),
): Promise<BulkResponseRecord> {
  for (;;) {
    const record = await readRecord(client, id);
    if (until(record) || record.completed_at) return record;
    if (Date.now() > deadline) throw new Error(`rollout ${id} still ${record.status} at the time bound`);
    await new Promise((resolve) => setTimeout(resolve, client.pollMilliseconds));
  }
}

interface SendTimes {
  first: Date | null;
  last: Date | null;
}

async function sendTimes(database: Queryable, id: string): Promise<SendTimes> {
  const [row] = await database.query<SendTimes>(
    'select min(sent_at) as first, max(sent_at) as last from bulk_response_devices where bulk_response_id = $1',
    [id],
  );
  return row ?? { first: null, last: null };
}

const secondsSince = (origin: number, at: number | null) => (at === null ? null : Math.round((at - origin) / 10) / 100);

// Posts the action, waits for its end, and times it.
export async function timeRollout(
  client: RolloutClient,
  fleetId: string,
  body: object,
  deadline: number,
): Promise<RolloutTiming> {
  const postedAt = Date.now();
  const id = await postAction(client, fleetId, body);
  const acceptedAt = Date.now();
  const record = await waitForRollout(client, id, deadline);
  const sends = await sendTimes(client.database, id);
  return {
    id,
    status: record.status,
    devices: record.counts.total,
    success: record.counts.success,
    acceptedSeconds: secondsSince(postedAt, acceptedAt)!,
    firstSendSeconds: secondsSince(postedAt, sends.first?.getTime() ?? null),
    lastSendSeconds: secondsSince(postedAt, sends.last?.getTime() ?? null),
    completedSeconds: secondsSince(postedAt, record.completed_at ? Date.parse(record.completed_at) : null),
  };
}

export function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null).sort((left, right) => left - right);
  if (known.length === 0) return null;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 === 1 ? known[middle]! : Math.round(((known[middle - 1]! + known[middle]!) / 2) * 100) / 100;
}
