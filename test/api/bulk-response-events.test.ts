import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';
import type { RolloutRecordState } from '../../contracts/rollout-state';
import { insertBulkResponse } from '../../registry/bulk-responses.repository';
import { openApiFixture, type ApiFixture, type TestCompany } from './api-fixture';

interface StatusEvent {
  status: string;
  counts: { success: number; enqueued: number };
  stage: { index: number; phase: string; name: string } | null;
  last_deadline_at: string | null;
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
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// A canary of 4 devices whose answers the rollout waits for, as the execution saves it (engine v3).
function canaryState(phase: 'settling' | 'baking'): RolloutRecordState {
  return {
    phase: 'running',
    pausedBy: null,
    stop: null,
    finalStatus: null,
    approvals: [],
    startAt: null,
    stage: { index: 0, phase, bakeUntil: phase === 'baking' ? Date.parse('2030-01-01T00:00:00Z') : null },
    stageSizes: [4],
    windowOpensAt: null,
    nextCheckAt: null,
    sweeping: false,
    walkDone: false,
    version: phase === 'baking' ? 2 : 1,
  };
}

describe('bulk response events (Server-Sent Events)', () => {
  let fixture: ApiFixture;
  let company: TestCompany;
  let foreign: TestCompany;
  let server: Server;
  let baseUrl: string;
  const newBulkResponse = async (rollout: Record<string, unknown> = {}) => {
    const id = randomBytes(12).toString('hex');
    await insertBulkResponse(fixture.database, {
      id,
      companyId: company.companyId,
      fleetId: null,
      action: 'issue_command',
      request: { action: 'issue_command', gateway_command: 'reboot', rollout },
      createdBy: company.userIds.operator,
    });
    return id;
  };
  const setRecord = (id: string, assignments: string, params: unknown[] = []) =>
    fixture.database.query(`update bulk_responses set ${assignments}, updated_at = now() where id = $1`, [
      id,
      ...params,
    ]);
  // Device rows as the engine writes them: the registry's trigger keeps the counts the API shows.
  const addRows = (id: string, status: string, count: number, deadlineAt: Date | null = null) =>
    fixture.database.query(
      `insert into bulk_response_devices (bulk_response_id, device_id, unique_id, status, attempts, deadline_at)
       select $1, $2 || n, 'serial-' || $2 || n, $3, 1, $4 from generate_series(1, $5) as n`,
      [id, `${status}-${randomBytes(4).toString('hex')}-`, status, deadlineAt, count],
    );

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

  it('when the bulk response runs, then the first event comes at once, a device row that changes follows within 2 s, and the stream closes after the terminal state', async () => {
    const id = await newBulkResponse();
    await setRecord(id, `status = 'processing', total = 10`);
    const stream = await openStream(baseUrl, id, company.tokens.viewer);
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    await waitFor(() => stream.events.length === 1, 1000);
    assert.equal(stream.events[0]!.event.event, 'status');
    assert.equal(dataOf(stream.events[0]).status, 'processing');
    assert.match(dataOf(stream.events[0]).links.temporal_ui, new RegExp(`/namespaces/default/workflows/${id}$`));

    const changedAt = Date.now();
    await addRows(id, 'success', 5);
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

  it('when the record is saved with nothing shown changed, then no event is sent; when the canary starts baking (no count moves), then one is', async () => {
    const id = await newBulkResponse({ canary: { count: 4, min_success_rate: 1 } });
    await setRecord(id, `status = 'processing', total = 10, rollout_state = $2`, [
      JSON.stringify(canaryState('settling')),
    ]);
    await addRows(id, 'success', 4);
    const leaving = new AbortController();
    const stream = await openStream(baseUrl, id, company.tokens.viewer, leaving.signal);
    try {
      await waitFor(() => stream.events.length === 1, 1000);
      assert.equal(dataOf(stream.events[0]).stage?.phase, 'settling');
      for (let saves = 0; saves < 3; saves++) {
        await setRecord(id, `status = 'processing'`);
        await pause(800);
      }
      assert.equal(stream.events.length, 1, 'three saves that changed nothing shown sent nothing');
      await setRecord(id, `rollout_state = $2`, [JSON.stringify(canaryState('baking'))]);
      await waitFor(() => stream.events.length === 2, 2500);
      const baking = dataOf(stream.events[1]);
      assert.equal(baking.stage?.phase, 'baking');
      assert.equal(baking.counts.success, 4, 'the counts did not move: the stage alone was news');
    } finally {
      leaving.abort();
      await stream.ended;
    }
  });

  it('when devices wait offline, then the events carry the last deadline, and an answer grace for devices sent to', async () => {
    const id = await newBulkResponse({ device_timeout_seconds: 40 });
    await setRecord(id, `status = 'processing', total = 6`);
    const offlineDeadline = new Date(Math.floor(Date.now() / 1000) * 1000 + 40_000);
    await addRows(id, 'enqueued', 3, offlineDeadline);
    const leaving = new AbortController();
    const stream = await openStream(baseUrl, id, company.tokens.viewer, leaving.signal);
    try {
      await waitFor(() => stream.events.length === 1, 1000);
      assert.equal(dataOf(stream.events[0]).counts.enqueued, 3);
      assert.equal(dataOf(stream.events[0]).last_deadline_at, offlineDeadline.toISOString());
      // Sent 5 s later with the same 40 s deadline: expired 10 s (a quarter of it) after it.
      await addRows(id, 'sent', 2, new Date(offlineDeadline.getTime() + 5_000));
      await waitFor(() => stream.events.length === 2, 2500);
      assert.equal(
        dataOf(stream.events[1]).last_deadline_at,
        new Date(offlineDeadline.getTime() + 15_000).toISOString(),
      );
    } finally {
      leaving.abort();
      await stream.ended;
    }
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
