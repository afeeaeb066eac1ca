import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertDevices } from '../../harness/device-fixtures';
import { eventually, within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet } from '../support/rollout-harness';
import { addTagsInput, rebootInput } from '../../harness/rollout-inputs';

const day = 24 * 3600_000;

// A day of workflow time in seconds on the time-skipping test server: checks for newcomers are
// local activities on a timer. Time only skips while the test waits for the result, so devices
// join the fleet before that, while the rollout waits for its next check.
describe('continuous rollouts (time-skipping test server, real activities and registry)', () => {
  const harness = rolloutHarness('time-skipping');

  for (const [action, inputOf] of [
    ['registry', addTagsInput],
    ['command', rebootInput],
  ] as const) {
    it(`when devices join the fleet of a continuous ${action} rollout, then a sweep gives each the action once`, async () => {
      await withFleet(harness, 4, {}, async (fleet) => {
        const until = new Date((await harness.environment.currentTimeMs()) + day).toISOString();
        const input = inputOf(fleet.companyId, { continuous: { until, check_interval_seconds: 3600 } });
        const handle = await fleet.start(input);
        // The first pass ended once every device has its row.
        await eventually(
          async () => (await fleet.rows(input.bulkResponseId)).filter((row) => row.status === 'success').length === 4,
          20_000,
          'the first pass to end',
        );
        const joined = await insertDevices(fleet.database, fleet.companyId, 2);
        const joinedIds = joined.map((device) => device.deviceId);
        await fleet.connect(joinedIds);
        const outcome = await within(rolloutOutcomeOf(handle), 120_000, 'the rollout');
        assert.equal(outcome.status, 'completed');
        assert.equal(outcome.counts.total, 6, 'the 4 devices, then the 2 that joined');
        assert.equal(outcome.counts.success, 6);
        const rows = await fleet.rows(input.bulkResponseId);
        assert.deepEqual(rows.map((row) => row.device_id).sort(), [...fleet.deviceIds, ...joinedIds].sort());
        if (action === 'command')
          for (const row of rows) assert.equal(fleet.transport.copiesTo(row.device_id).length, 1, 'commanded once');
      });
    });
  }
});
