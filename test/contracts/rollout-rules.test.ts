import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  abortReason,
  batchSizeOf,
  canaryFailure,
  canarySizeOf,
  finalStatusOf,
  rolloutLimits,
  sendWindowsOf,
} from '../../contracts/rollout-rules';
import { emptyCounts, type BulkCounts } from '../../contracts/statuses';

const counts = (values: Partial<BulkCounts>): BulkCounts => ({ ...emptyCounts(), ...values });
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('rollout rules (pure, no server)', () => {
  it('when retries are configured, then sends wait their intervals and the last one waits until the deadline', () => {
    const windows = sendWindowsOf({
      device_timeout_seconds: 600,
      retry: { max_attempts: 3, initial_interval_seconds: 10 },
    });
    assert.deepEqual(windows, [10_000, 20_000, 570_000]);
    assert.equal(sum(windows), 600_000);
  });

  it('when the deadline is shorter than the retry intervals, then fewer sends are made and the deadline is never shortened', () => {
    const windows = sendWindowsOf({
      device_timeout_seconds: 15,
      retry: { max_attempts: 5, initial_interval_seconds: 10 },
    });
    assert.deepEqual(windows, [10_000, 5_000]);
    assert.equal(sum(sendWindowsOf({ device_timeout_seconds: 20 })), 20_000);
  });

  it('when the canary answered below its rate, then it fails with a reason naming the figures', () => {
    const reason = canaryFailure(
      { canary: { count: 45, min_success_rate: 0.9, then: 'continue' } },
      counts({ success: 16, fail: 29, timed_out: 3 }),
    );
    assert.equal(reason?.code, 'canary_below_success_rate');
    assert.match(reason?.message ?? '', /16 of 45 answered devices succeeded \(0\.36 < 0\.90\)/);
  });

  it('when timed-out canary devices are not answers, then the gate judges only answered ones', () => {
    const rollout = { canary: { count: 10, min_success_rate: 0.9, then: 'continue' as const } };
    assert.equal(canaryFailure(rollout, counts({ success: 9, timed_out: 5 })), undefined);
    assert.equal(canaryFailure(rollout, counts({ timed_out: 5 }))?.code, 'canary_below_success_rate');
  });

  it('when a canary is a share, then its size counts devices and never exceeds them', () => {
    assert.equal(canarySizeOf({ canary: { percent: 5, min_success_rate: 1, then: 'continue' } }, 950), 48);
    assert.equal(canarySizeOf({ canary: { count: 20, min_success_rate: 1, then: 'continue' } }, 7), 7);
    assert.equal(canarySizeOf(undefined, 100), 0);
  });

  it('when enough devices finished and the failure share reaches the rate, then the abort rule fires with its reason', () => {
    const rollout = { abort: { failure_rate: 0.25, min_finished: 40 } };
    assert.equal(abortReason(rollout, counts({ success: 20, fail: 10, skipped: 500 })), undefined);
    assert.equal(abortReason(rollout, counts({ success: 30, fail: 8, timed_out: 4 }))?.code, 'failure_rate_exceeded');
  });

  it('when retries multiply sends, then batches shrink so the worst case stays inside the event budget', () => {
    for (const attempts of [1, 3, 20]) {
      const size = batchSizeOf({ retry: { max_attempts: attempts } });
      assert.ok(size * (6 * attempts + 6) <= rolloutLimits.batchEventBudget || size === rolloutLimits.minimumBatchSize);
    }
    assert.equal(finalStatusOf(counts({ success: 3, skipped: 2 })), 'completed');
    assert.equal(finalStatusOf(counts({ success: 3, timed_out: 1 })), 'completed_with_errors');
  });
});
