import { randomUUID } from 'node:crypto';
import type { ObservedBulkResponse, StatusRegressionWatch } from './status-regression-watch';

const platform = '/api/v1/platform';
// A client told to come back later waits as asked, but no longer than this, so it keeps posting.
const longestRetryAfterWaitMs = 5_000;

export interface StatusClientsContext {
  baseUrl: string;
  authorization: string;
  rolloutId: string;
  smallFleetId: string;
  watch: StatusRegressionWatch;
  stopped: () => boolean;
  // Pause between one client's requests: API clients poll, they do not hammer.
  pollThinkMs: number;
  postThinkMs: number;
}

export interface StatusClientsTally {
  singleMs: number[];
  listMs: number[];
  postMs: number[];
  postsAccepted: number;
  postsTooMany: number;
  // Answers other than 200 (GET) or 202/429 (POST), and requests that got no answer, by cause.
  unexpected: Record<string, number>;
  postedIds: string[];
}

export function emptyTally(): StatusClientsTally {
  return { singleMs: [], listMs: [], postMs: [], postsAccepted: 0, postsTooMany: 0, unexpected: {}, postedIds: [] };
}

function countUnexpected(tally: StatusClientsTally, cause: string): void {
  tally.unexpected[cause] = (tally.unexpected[cause] ?? 0) + 1;
}

async function pauseUnlessStopped(context: StatusClientsContext, milliseconds: number): Promise<void> {
  const until = Date.now() + milliseconds;
  while (!context.stopped() && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
}

// One request, timed from send to the whole body read; undefined when no answer came.
async function timedRequest(
  context: StatusClientsContext,
  tally: StatusClientsTally,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; sentAt: number; milliseconds: number; headers: Headers } | undefined> {
  const sentAt = performance.now();
  try {
    const response = await fetch(`${context.baseUrl}${platform}${path}`, {
      ...init,
      headers: { Authorization: context.authorization, ...init.headers },
    });
    const text = await response.text();
    const milliseconds = performance.now() - sentAt;
    const body: unknown = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { status: response.status, body, sentAt, milliseconds, headers: response.headers };
  } catch (error) {
    countUnexpected(tally, `${init.method ?? 'GET'} ${error instanceof Error ? error.name : 'error'}`);
    return undefined;
  }
}

function pickId(context: StatusClientsContext, tally: StatusClientsTally): string {
  if (tally.postedIds.length === 0 || Math.random() < 0.5) return context.rolloutId;
  return tally.postedIds[Math.floor(Math.random() * tally.postedIds.length)]!;
}

// Alternates GET /bulk_responses/{id} (the rollout half of the time, else an action another
// client posted) and GET /bulk_responses, checking every answer with the regression watch.
export async function runPollingClient(context: StatusClientsContext, tally: StatusClientsTally): Promise<void> {
  while (!context.stopped()) {
    const single = await timedRequest(context, tally, `/bulk_responses/${pickId(context, tally)}`);
    if (single) {
      tally.singleMs.push(single.milliseconds);
      if (single.status === 200) context.watch.observe(single.body as ObservedBulkResponse, single.sentAt, 'single');
      else countUnexpected(tally, `GET single ${single.status}`);
    }
    await pauseUnlessStopped(context, context.pollThinkMs);
    if (context.stopped()) return;
    const list = await timedRequest(context, tally, '/bulk_responses');
    if (list) {
      tally.listMs.push(list.milliseconds);
      if (list.status === 200)
        for (const view of list.body as ObservedBulkResponse[]) context.watch.observe(view, list.sentAt, 'list');
      else countUnexpected(tally, `GET list ${list.status}`);
    }
    await pauseUnlessStopped(context, context.pollThinkMs);
  }
}

// Posts add_tags on the small fleet, each with its own Idempotency-Key; a 429 (admission) is
// counted apart and its Retry-After honoured up to a bound.
export async function runPostingClient(context: StatusClientsContext, tally: StatusClientsTally): Promise<void> {
  while (!context.stopped()) {
    const posted = await timedRequest(context, tally, `/fleets/${context.smallFleetId}/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
      body: JSON.stringify({ action: 'add_tags', tags: [`bench-${tally.postMs.length % 50}`] }),
    });
    let waitMs = context.postThinkMs;
    if (posted) {
      tally.postMs.push(posted.milliseconds);
      if (posted.status === 202) {
        tally.postsAccepted += 1;
        tally.postedIds.push((posted.body as { bulk_response_id: string }).bulk_response_id);
      } else if (posted.status === 429) {
        tally.postsTooMany += 1;
        const retryAfterMs = Number(posted.headers.get('retry-after') ?? 1) * 1000;
        waitMs = Math.min(longestRetryAfterWaitMs, Math.max(waitMs, retryAfterMs));
      } else countUnexpected(tally, `POST ${posted.status}`);
    }
    await pauseUnlessStopped(context, waitMs);
  }
}
