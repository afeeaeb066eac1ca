import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';

interface StatusEvent {
  status: string;
  counts: { success: number };
  links: { temporal_ui: string };
}

interface TimedEvent {
  at: number;
  event: EventSourceMessage;
}

// The stream through a real listener, read as a client reads it: events with their arrival
// time, and whether the server ended the stream.
async function openStream(baseUrl: string, id: string, token: string, signal?: AbortSignal) {
  const opened = Date.now();
  const response = await fetch(`${baseUrl}/api/v1/platform/bulk_responses/${id}/events`, {
    headers: { Authorization: token, Accept: 'text/event-stream' },
    signal,
  });
  const events: TimedEvent[] = [];
  const ended = (async () => {
    if (!response.ok || !response.body) return;
    const stream = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const event of stream) events.push({ at: Date.now() - opened, event });
  })().catch((error: unknown) => {
    if (!signal?.aborted) throw error;
  });
  return { response, events, ended };
}

async function waitFor(condition: () => boolean, timeoutMilliseconds: number) {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const dataOf = (timed: TimedEvent | undefined) => JSON.parse(timed?.event.data ?? 'null') as StatusEvent;

describe('bulk response events (Server-Sent Events)', () => {
  let fixture: ApiFixture;
  let company: TestCompany;
  let foreign: TestCompany;
  let server: Server;
  let baseUrl: string;
  const newBulkResponse = async () => {
    const id = randomBytes(12).toString('hex');
    await insertBulkResponse(fixture.database, {
      id,
      companyId: company.companyId,
      fleetId: null,
      action: 'issue_command',
      request: { action: 'issue_command', gateway_command: 'reboot' },
      createdBy: company.userIds.operator,
    });
    return id;
  };
  const setRecord = (id: string, assignments: string) =>
    fixture.database.query(`update bulk_responses set ${assignments}, updated_at = now() where id = $1`, [id]);

  before(async () => {
    fixture = await openApiFixture();
    company = await fixture.createCompanyWithUsers('Streams');
    foreign = await fixture.createCompanyWithUsers('Elsewhere');
    server = fixture.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fixture.close();
  });

  it('when the bulk response runs, then the first event comes at once, changes follow within 2 s, and the stream closes after the terminal state', async () => {
    const id = await newBulkResponse();
    await setRecord(id, `status = 'processing'`);
    const stream = await openStream(baseUrl, id, company.tokens.viewer);
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    await waitFor(() => stream.events.length === 1, 1000);
    assert.equal(stream.events[0]!.event.event, 'status');
    assert.equal(dataOf(stream.events[0]).status, 'processing');
    assert.match(dataOf(stream.events[0]).links.temporal_ui, new RegExp(`/namespaces/default/workflows/${id}$`));

    const changedAt = Date.now();
    await setRecord(id, `counts = jsonb_set(counts, '{success}', '5')`);
    await waitFor(() => stream.events.length === 2, 2500);
    assert.equal(dataOf(stream.events[1]).counts.success, 5);
    assert.ok(Date.now() - changedAt <= 2000, 'a change is pushed within 2 s');

    await setRecord(id, `status = 'completed', completed_at = now()`);
    await stream.ended;
    assert.deepEqual(
      stream.events.map((timed) => dataOf(timed).status),
      ['processing', 'processing', 'completed'],
    );
  });

  it('when the bulk response has already ended, then one event is sent and the stream closes', async () => {
    const id = await newBulkResponse();
    await setRecord(id, `status = 'completed_with_errors', completed_at = now()`);
    const stream = await openStream(baseUrl, id, company.tokens.viewer);
    await stream.ended;
    assert.equal(stream.events.length, 1);
    assert.equal(dataOf(stream.events[0]).status, 'completed_with_errors');
  });

  it('when the client goes away, then the server stops reading the bulk response', async () => {
    const id = await newBulkResponse();
    await setRecord(id, `status = 'processing'`);
    let reads = 0;
    const query = fixture.database.query.bind(fixture.database);
    // Counts the registry reads that name this bulk response, on the real registry.
    fixture.database.query = <Row>(sql: string, params?: readonly unknown[]) => {
      if (params?.includes(id)) reads++;
      return query<Row>(sql, params);
    };
    try {
      const leaving = new AbortController();
      const stream = await openStream(baseUrl, id, company.tokens.viewer, leaving.signal);
      await waitFor(() => stream.events.length === 1, 1000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(reads >= 2, 'the server polls while the client listens');
      leaving.abort();
      await stream.ended;
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const afterLeaving = reads;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(reads, afterLeaving);
    } finally {
      fixture.database.query = query;
    }
  });

  it("when another company's caller asks for the stream, then it answers 404 as JSON", async () => {
    const id = await newBulkResponse();
    const response = await fetch(`${baseUrl}/api/v1/platform/bulk_responses/${id}/events`, {
      headers: { Authorization: foreign.tokens.admin },
    });
    assert.equal(response.status, 404);
    assert.match(((await response.json()) as { error: string }).error, /not found/i);
  });
});
