import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { deviceStatuses } from '../../contracts/statuses';
import { within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet, type Fleet, type RolloutHandle } from '../support/rollout-harness';
import { addTagsInput, rebootInput } from '../../harness/rollout-inputs';

// Every run of an execution, first to last, with its history length: continue-as-new chains them.
async function runLengths(fleet: Fleet, handle: RolloutHandle): Promise<number[]> {
  const lengths: number[] = [];
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const history = await fleet.environment.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    lengths.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return lengths;
}

async function assertCountsAreRows(fleet: Fleet, bulkResponseId: string, counts: Record<string, number>) {
  const rows = await fleet.rows(bulkResponseId);
  for (const status of deviceStatuses)
    assert.equal(counts[status], rows.filter((row) => row.status === status).length, `${status}: counts are rows`);
}

// The dev server suggests continue-as-new after 30 events (its default is thousands), so a small
// rollout hands over many times: what the model carries must keep every count exact.
describe('continue-as-new in the middle of a rollout (dev server suggesting it early)', () => {
  const harness = rolloutHarness('dev-server', {
    serverArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=30'],
  });

  it('when a device rollout continues as new many times, then every device is commanded once and every count is exact', async (context) => {
    await withFleet(harness, 150, {}, async (fleet) => {
      const failing = new Set(fleet.deviceIds.filter((_, index) => index % 10 === 0));
      fleet.transport.script = (deviceId) => ({
        status: failing.has(deviceId) ? 'fail' : 'success',
        afterMilliseconds: 20,
      });
      const input = rebootInput(fleet.companyId, { max_in_flight: 10 });
      const handle = await fleet.start(input);
      const outcome = await within(rolloutOutcomeOf(handle), 90_000, 'the rollout');
      const lengths = await runLengths(fleet, handle);
      context.diagnostic(`${lengths.length} runs of ${lengths.join(', ')} events`);
      assert.ok(lengths.length > 2, `handed over (${lengths.length} runs)`);
      assert.equal(outcome.status, 'completed_with_errors');
      assert.equal(outcome.counts.success, 135);
      assert.equal(outcome.counts.fail, 15);
      assert.equal(outcome.counts.total, 150);
      await assertCountsAreRows(fleet, input.bulkResponseId, outcome.counts);
      for (const id of fleet.deviceIds) assert.equal(fleet.transport.copiesTo(id).length, 1, `${id} once`);
    });
  });

  it('when a registry rollout continues as new between pages, then every device is changed once and counted once', async (context) => {
    await withFleet(harness, 4_100, {}, async (fleet) => {
      const input = addTagsInput(fleet.companyId);
      const handle = await fleet.start(input);
      const outcome = await within(rolloutOutcomeOf(handle), 90_000, 'the rollout');
      const lengths = await runLengths(fleet, handle);
      context.diagnostic(`${lengths.length} runs of ${lengths.join(', ')} events`);
      assert.ok(lengths.length > 1, `handed over (${lengths.length} runs)`);
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.success, 4_100);
      await assertCountsAreRows(fleet, input.bulkResponseId, outcome.counts);
      const [tagged] = await fleet.database.query<{ count: number }>(
        `select count(*)::int as count from devices where company_id = $1 and tags @> '{blue}'`,
        [fleet.companyId],
      );
      assert.equal(tagged?.count, 4_100);
    });
  });
});
