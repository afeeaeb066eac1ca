import { setTimeout as sleep } from 'node:timers/promises';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { isTerminalBulkStatus } from '../contracts/statuses';
import type { ApiClient } from './api-client';
import type { BulkResponse } from './api-types';
import { CliError } from './cli-error';

const reconnectMilliseconds = 1000;
const maxConsecutiveFailures = 10;

async function readUntilEnd(
  client: ApiClient,
  id: string,
  onStatus: (view: BulkResponse) => void,
  signal: AbortSignal,
): Promise<BulkResponse | undefined> {
  const body = await client.stream(`/bulk_responses/${id}/events`, signal);
  let last: BulkResponse | undefined;
  const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const event of events) {
    if (event.event !== 'status') continue;
    last = JSON.parse(event.data) as BulkResponse;
    onStatus(last);
  }
  return last;
}

// Follows a bulk response over its event stream until it ends; a dropped connection (API
// restart, proxy timeout) is reopened, and the first event after it brings the view up to date.
export async function followBulkResponse(
  client: ApiClient,
  id: string,
  onStatus: (view: BulkResponse) => void,
  signal: AbortSignal,
): Promise<BulkResponse> {
  let failures = 0;
  for (;;) {
    try {
      const last = await readUntilEnd(client, id, onStatus, signal);
      if (last && isTerminalBulkStatus(last.status)) return last;
      failures = 0;
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof CliError && error.status !== undefined && error.status < 500) throw error;
      if (++failures >= maxConsecutiveFailures) throw error;
    }
    await sleep(reconnectMilliseconds, undefined, { signal });
  }
}
