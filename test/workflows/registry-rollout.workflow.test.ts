import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { findBulkResponse } from '../../registry/bulk-responses.repository';
import { eventually, within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet, type Fleet } from '../support/rollout-harness';
import { addTagsInput } from '../../harness/rollout-inputs';

const minute = 60_000;

async function taggedDevices(fleet: Fleet): Promise<number> {
  const [row] = await fleet.database.query<{ count: number }>(
    `select count(*)::int as count from devices where company_id = $1 and tags @> '{blue}'`,
    [fleet.companyId],
  );
  return row?.count ?? 0;
}

// Registry actions change the registry a page (2,000 devices) at a time, with their rows.
describe('registry rollouts (dev server, real activities and registry)', () => {
  const harness = rolloutHarness('dev-server');

  it('when the fleet spans several pages, then every device is changed once and the counts are the rows', async () => {
    await withFleet(harness, 4_321, {}, async (fleet) => {
      const input = addTagsInput(fleet.companyId);
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), 2 * minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.total, 4_321);
      assert.equal(outcome.counts.success, 4_321);
      const rows = await fleet.rows(input.bulkResponseId);
      assert.equal(rows.length, 4_321);
      assert.ok(rows.every((row) => row.status === 'success'));
      assert.equal(await taggedDevices(fleet), 4_321);
    });
  });

  it('when cancelled from Temporal mid-rollout, then the record ends canceled and devices not reached are canceled', async () => {
    await withFleet(harness, 6_000, {}, async (fleet) => {
      const input = addTagsInput(fleet.companyId);
      const handle = await fleet.start(input);
      await eventually(async () => (await fleet.rows(input.bulkResponseId)).length > 0, 30_000, 'a first page');
      await within(handle.cancel(), 30_000, 'the cancel request');
      await assert.rejects(within(handle.result(), minute, 'the rollout'), WorkflowFailedError);
      const record = await findBulkResponse(fleet.database, fleet.companyId, input.bulkResponseId);
      assert.equal(record?.status, 'canceled');
      assert.equal(record?.counts.success, await taggedDevices(fleet), 'the counts are what was changed');
      assert.equal((record?.counts.success ?? 0) + (record?.counts.canceled ?? 0), 6_000);
    });
  });
});
