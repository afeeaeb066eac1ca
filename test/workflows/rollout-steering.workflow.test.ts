import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { findBulkResponse } from '../../registry/bulk-responses.repository';
import { cancelUpdate, pauseUpdate, resumeUpdate } from '../../workflows/definitions';
import { eventually, within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet, type Fleet } from '../support/rollout-harness';
import { rebootInput } from '../../harness/rollout-inputs';

const minute = 60_000;
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// Devices that had the command keep their real answer; everything else ends canceled.
async function assertStoppedCleanly(fleet: Fleet, bulkResponseId: string) {
  const rows = await fleet.rows(bulkResponseId);
  const published = fleet.transport.publishedDevices();
  for (const row of rows) {
    if (published.has(row.device_id)) assert.equal(row.status, 'success', `${row.device_id} keeps its answer`);
    else assert.equal(row.status, 'canceled', `${row.device_id} was never sent to`);
  }
  assert.equal(rows.length, fleet.deviceIds.length, 'every device has a row');
}

// Operators steer a running rollout with Updates that answer the state reached; the Temporal
// UI's cancel gives the same end. Real activities and registry on the dev server.
describe('steering a rollout (dev server, real activities and registry, fake devices)', () => {
  const harness = rolloutHarness('dev-server');

  it('when paused mid-rollout, then the Update answers paused, nothing is published until resume, and resume finishes the fleet', async () => {
    await withFleet(harness, 30, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 100 });
      const input = rebootInput(fleet.companyId, { max_in_flight: 2 });
      const handle = await fleet.start(input);
      await eventually(() => fleet.transport.published.length >= 4, 30_000, 'a few devices sent to');
      const paused = await within(handle.executeUpdate(pauseUpdate), 30_000, 'the pause Update');
      assert.equal(paused.status, 'paused');
      // Launches already running when it paused may still land; after them, silence.
      await pause(500);
      const publishedWhilePaused = fleet.transport.published.length;
      await pause(2_000);
      assert.equal(fleet.transport.published.length, publishedWhilePaused, 'nothing published while paused');
      assert.ok(publishedWhilePaused < 30);
      const resumed = await within(handle.executeUpdate(resumeUpdate), 30_000, 'the resume Update');
      assert.equal(resumed.status, 'processing');
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.success, 30);
      for (const id of fleet.deviceIds) assert.equal(fleet.transport.copiesTo(id).length, 1);
    });
  });

  it('when an operator cancels, then the Update answers canceling, the rollout ends canceled, and devices with the command keep their answer', async () => {
    await withFleet(harness, 30, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 1_500 });
      const input = rebootInput(fleet.companyId, { max_in_flight: 3 });
      const handle = await fleet.start(input);
      await eventually(() => fleet.transport.published.length >= 3, 30_000, 'the first devices sent to');
      const view = await within(handle.executeUpdate(cancelUpdate), 30_000, 'the cancel Update');
      assert.equal(view.status, 'canceling');
      const publishedAtCancel = fleet.transport.published.length;
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'canceled');
      assert.equal(fleet.transport.published.length, publishedAtCancel, 'nothing published after the cancel');
      assert.equal(outcome.counts.success, publishedAtCancel);
      assert.equal(outcome.counts.canceled, 30 - publishedAtCancel);
      assert.equal(outcome.statusReason?.code, 'canceled');
      await assertStoppedCleanly(fleet, input.bulkResponseId);
      await assert.rejects(
        within(handle.executeUpdate(pauseUpdate), 30_000, 'the refusal'),
        'a control on an ended rollout is refused',
      );
    });
  });

  it('when the execution is cancelled from Temporal, then it ends CANCELLED and the bulk response canceled', async () => {
    await withFleet(harness, 30, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'success', afterMilliseconds: 1_500 });
      const input = rebootInput(fleet.companyId, { max_in_flight: 3 });
      const handle = await fleet.start(input);
      await eventually(() => fleet.transport.published.length >= 3, 30_000, 'the first devices sent to');
      await within(handle.cancel(), 30_000, 'the cancel request');
      const failure = await within(
        handle.result().then(
          () => undefined,
          (error: unknown) => error,
        ),
        minute,
        'the rollout',
      );
      assert.ok(failure instanceof WorkflowFailedError, 'the execution ends cancelled');
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      const events = (await handle.fetchHistory()).events ?? [];
      const failedTasks = events.filter((event) => event.workflowTaskFailedEventAttributes);
      assert.deepEqual(
        failedTasks.map((event) => event.workflowTaskFailedEventAttributes?.failure?.message),
        [],
        'no workflow task failed on the way (a cancelled record save once did)',
      );
      const record = await findBulkResponse(fleet.database, fleet.companyId, input.bulkResponseId);
      assert.equal(record?.status, 'canceled');
      assert.equal(record?.status_reason?.code, 'canceled');
      const published = fleet.transport.publishedDevices().size;
      assert.equal(record?.counts.success, published);
      assert.equal(record?.counts.canceled, 30 - published);
      await assertStoppedCleanly(fleet, input.bulkResponseId);
    });
  });
});
