import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBulkResponse } from '../../registry/bulk-responses.repository';
import { rolloutStatusQuery, resumeUpdate } from '../../workflows/definitions';
import { eventually, within } from '../support/bounded-waits';
import { rolloutOutcomeOf } from '../support/rollout-outcome';
import { rolloutHarness, withFleet } from '../support/rollout-harness';
import { rebootInput } from '../../harness/rollout-inputs';

const minute = 60_000;

// The canary gate and the abort rule judge the counts the device rows say. Real activities and
// registry on the dev server; the fake devices answer as each test scripts them.
describe('rollout gates (dev server, real activities and registry, fake devices)', () => {
  const harness = rolloutHarness('dev-server');

  it('when the canary passes, then the rest of the fleet is sent to only after every canary device answered', async () => {
    await withFleet(harness, 20, {}, async (fleet) => {
      const input = rebootInput(fleet.companyId, { canary: { count: 4, min_success_rate: 1, then: 'continue' } });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.success, 20);
      const rows = await fleet.rows(input.bulkResponseId);
      const canary = rows.filter((row) => row.stage === 0);
      const rest = rows.filter((row) => row.stage === 1);
      assert.equal(canary.length, 4);
      assert.equal(rest.length, 16);
      const lastCanaryAnswer = Math.max(...canary.map((row) => row.acknowledged_at!.getTime()));
      const firstRestSend = Math.min(...rest.map((row) => row.sent_at!.getTime()));
      assert.ok(firstRestSend >= lastCanaryAnswer, 'the rest waited for the canary gate');
    });
  });

  it('when the canary fails its success rate, then the rollout is aborted with canary_below_success_rate and the rest is never sent to', async () => {
    await withFleet(harness, 20, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'fail', message: 'flash write error' });
      const input = rebootInput(fleet.companyId, { canary: { count: 4, min_success_rate: 0.5, then: 'continue' } });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'aborted');
      assert.equal(outcome.statusReason?.code, 'canary_below_success_rate');
      assert.equal(outcome.counts.fail, 4);
      assert.equal(outcome.counts.canceled, 16);
      assert.equal(fleet.transport.published.length, 4, 'only the canary was sent to');
      const record = await findBulkResponse(fleet.database, fleet.companyId, input.bulkResponseId);
      assert.equal(record?.status, 'aborted');
      assert.equal(record?.status_reason?.code, 'canary_below_success_rate');
    });
  });

  it('when the canary passes with then: pause, then the rollout pauses after it and resume finishes the fleet', async () => {
    await withFleet(harness, 12, {}, async (fleet) => {
      const input = rebootInput(fleet.companyId, { canary: { count: 3, min_success_rate: 1, then: 'pause' } });
      const handle = await fleet.start(input);
      const view = await eventually(
        async () => {
          const current = await within(handle.query(rolloutStatusQuery), 30_000, 'the status query');
          return current.status === 'paused' ? current : undefined;
        },
        30_000,
        'the pause after the canary',
      );
      assert.match(view.waitingFor ?? '', /canary passed its gate and the rollout paused/);
      assert.equal(view.counts.success, 3);
      assert.equal(fleet.transport.published.length, 3);
      const resumed = await within(handle.executeUpdate(resumeUpdate), 30_000, 'the resume Update');
      assert.equal(resumed.status, 'processing');
      const outcome = await within(rolloutOutcomeOf(handle), minute, 'the rollout');
      assert.equal(outcome.status, 'completed');
      assert.equal(outcome.counts.success, 12);
    });
  });

  it('when failures pass the abort rule, then nothing more is sent, devices with the command answer, and the rest ends canceled', async () => {
    await withFleet(harness, 100, {}, async (fleet) => {
      fleet.transport.script = () => ({ status: 'fail', message: 'flash write error', afterMilliseconds: 50 });
      const input = rebootInput(fleet.companyId, { max_in_flight: 5, abort: { failure_rate: 0.5, min_finished: 10 } });
      const outcome = await within(rolloutOutcomeOf(await fleet.start(input)), minute, 'the rollout');
      assert.equal(outcome.status, 'aborted');
      assert.equal(outcome.statusReason?.code, 'failure_rate_exceeded');
      const sent = fleet.transport.publishedDevices().size;
      assert.ok(outcome.counts.fail >= 10, `${outcome.counts.fail} failed`);
      assert.equal(outcome.counts.fail, sent, 'every device sent to kept its answer');
      assert.ok(sent < 10 + 5 + 5, `${sent} sent: the abort came within about a window of the threshold`);
      assert.equal(outcome.counts.fail + outcome.counts.canceled, 100);
    });
  });
});
