import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abortReasonOf, finalStatusOf, stageVerdictOf } from '../../contracts/rollout-gates';
import { planOf, stageSizesOf, type StagePlan } from '../../contracts/rollout-plan';
import { emptyCounts, type BulkCounts } from '../../contracts/statuses';

const counts = (values: Partial<BulkCounts>): BulkCounts => ({ ...emptyCounts(), ...values });
const canary: StagePlan = {
  label: 'canary',
  size: { count: 10 },
  minSuccessRate: 0.9,
  bakeMilliseconds: 0,
  then: 'continue',
};

describe('rollout plan and gates (pure, no server)', () => {
  it('when retries are configured, then re-sends go at their intervals after the first send, all before the deadline', () => {
    const plan = planOf({ device_timeout_seconds: 600, retry: { max_attempts: 3, initial_interval_seconds: 10 } });
    assert.deepEqual(plan.resendOffsets, [10_000, 30_000]);
    assert.equal(plan.deadlineMilliseconds, 600_000);
  });

  it('when the deadline is shorter than the retry intervals, then fewer sends are made and the deadline is never shortened', () => {
    const plan = planOf({ device_timeout_seconds: 15, retry: { max_attempts: 5, initial_interval_seconds: 10 } });
    assert.deepEqual(plan.resendOffsets, [10_000]);
    assert.equal(plan.deadlineMilliseconds, 15_000);
    assert.deepEqual(planOf({ retry: { max_attempts: 1 } }).resendOffsets, []);
  });

  it('when the deadline is short or long, then the grace for a late answer stays between 2 and 15 seconds', () => {
    assert.equal(planOf({ device_timeout_seconds: 4 }).answerGraceMilliseconds, 2_000);
    assert.equal(planOf({ device_timeout_seconds: 20 }).answerGraceMilliseconds, 5_000);
    assert.equal(planOf(undefined).answerGraceMilliseconds, 15_000);
  });

  it('when a canary is a percent, then it is that share of the eligible devices, capped by those online', () => {
    const plan = planOf({ canary: { percent: 5, min_success_rate: 0.8, then: 'continue' } });
    assert.deepEqual(stageSizesOf(plan, { eligible: 855, onlineEligible: 830 }), [43]);
    assert.deepEqual(stageSizesOf(plan, { eligible: 855, onlineEligible: 20 }), [20]);
    assert.deepEqual(stageSizesOf(plan, { eligible: 3, onlineEligible: 3 }), [1]);
  });

  it('when a canary is a count, then it is that many devices, never more than there are online', () => {
    const plan = planOf({ canary: { count: 45, min_success_rate: 1, then: 'pause' } });
    assert.deepEqual(stageSizesOf(plan, { eligible: 1000, onlineEligible: 900 }), [45]);
    assert.deepEqual(stageSizesOf(plan, { eligible: 1000, onlineEligible: 10 }), [10]);
    assert.equal(plan.stages[0]?.then, 'pause');
  });

  it('when the canary answered below its rate, then it fails with a reason naming the figures', () => {
    const reason = stageVerdictOf(canary, counts({ success: 16, fail: 25, unhealthy: 4, timed_out: 3 }));
    assert.equal(reason?.code, 'canary_below_success_rate');
    assert.match(
      reason?.message ?? '',
      /16 of 45 answered devices succeeded \(0\.36 < 0\.90\); 25 fail, 4 unhealthy, 3 did not answer/,
    );
  });

  it('when canary devices timed out, then the gate judges only answered ones, and a canary nobody answered fails', () => {
    assert.equal(stageVerdictOf(canary, counts({ success: 9, timed_out: 5 })), undefined);
    assert.equal(stageVerdictOf(canary, counts({ timed_out: 5 }))?.code, 'canary_below_success_rate');
    assert.equal(stageVerdictOf({ ...canary, minSuccessRate: 0 }, counts({ timed_out: 5 })), undefined);
  });

  it('when enough devices finished and too many failed, then the abort rule names the figures; below its minimum it waits', () => {
    const rules = planOf({ abort: { failure_rate: 0.2, min_finished: 10 } }).abort;
    assert.equal(abortReasonOf(rules, counts({ success: 5, fail: 3 })), undefined);
    const reason = abortReasonOf(rules, counts({ success: 7, fail: 2, timed_out: 1, skipped: 50, canceled: 9 }));
    assert.equal(reason?.code, 'failure_rate_exceeded');
    assert.match(
      reason?.message ?? '',
      /any: 3 of 10 finished devices failed, timed out or were unhealthy \(0\.30 >= 0\.20\)/,
    );
  });

  it('when a rollout ends, then any fail, timed out or unhealthy device makes it completed_with_errors', () => {
    assert.equal(finalStatusOf(counts({ success: 3, skipped: 2, canceled: 1 })), 'completed');
    assert.equal(finalStatusOf(counts({ success: 3, timed_out: 1 })), 'completed_with_errors');
    assert.equal(finalStatusOf(counts({ success: 3, unhealthy: 1 })), 'completed_with_errors');
  });
});
