import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BulkResponse } from '../../cli/api-types';
import { etaOf, stageLineOf, watchLinesOf, wrapText } from '../../cli/watch-lines';
import { emptyCounts, type BulkCounts } from '../../contracts/statuses';

const now = Date.parse('2026-12-07T15:00:00.000Z');
const id = '65f1c0ffee0000000000abcd';
const timeZone = 'UTC';

function viewOf(counts: Partial<BulkCounts>, fields: Partial<BulkResponse> = {}): BulkResponse {
  return {
    _id: id,
    company_id: 'company',
    fleet_id: 'fleet',
    parent_id: null,
    rollback_of: null,
    rollback_id: null,
    action: 'issue_command',
    request: {},
    status: 'processing',
    status_reason: null,
    waiting_for: null,
    last_deadline_at: null,
    counts: { ...emptyCounts(), ...counts },
    stage: null,
    approvals: [],
    created_by: null,
    created_at: '2026-12-07T14:59:00.000Z',
    started_at: '2026-12-07T14:59:00.000Z',
    updated_at: '2026-12-07T15:00:00.000Z',
    completed_at: null,
    ...fields,
  };
}

describe('watch: what a bulk response shows (pure rendering, no terminal)', () => {
  it('when only offline devices remain, then the ETA is their last deadline, not the rate', () => {
    const view = viewOf({ total: 100, success: 84, enqueued: 16 }, { last_deadline_at: '2026-12-07T15:00:16.000Z' });
    assert.equal(
      etaOf(view, { ratePerSecond: 50, now, timeZone }),
      'waiting for deadlines until 15:00:16 (at most 16s)',
    );
    assert.equal(
      etaOf(view, { ratePerSecond: 50, now: now + 20_000, timeZone }),
      'ETA - (the last deadline, 15:00:16, has passed)',
    );
  });

  it('when devices remain to be sent, then the ETA is the rate’s, or the last deadline when that is later', () => {
    const fast = viewOf({ total: 100, success: 40, pending: 50, sent: 10 });
    assert.equal(etaOf(fast, { ratePerSecond: 10, now, timeZone }), 'ETA 6s');
    assert.equal(etaOf(fast, { ratePerSecond: undefined, now, timeZone }), 'ETA -');
    const late = { ...fast, last_deadline_at: '2026-12-07T15:01:05.000Z' };
    assert.equal(etaOf(late, { ratePerSecond: 10, now, timeZone }), 'ETA 1m05s (last deadline 15:01:05)');
  });

  it('when a rollout waits for an approval, is paused or ended, then the ETA says so instead of a time', () => {
    const approval = viewOf(
      { total: 10, pending: 10 },
      { waiting_for: 'an approval to start the first device, by an operator or admin (POST .../approve)' },
    );
    assert.equal(etaOf(approval, { ratePerSecond: 1, now }), 'ETA - (waiting for an approval)');
    assert.equal(etaOf(viewOf({ total: 10 }, { status: 'paused' }), { ratePerSecond: 1, now }), 'ETA - (paused)');
    assert.equal(etaOf(viewOf({ total: 10, success: 10 }, { status: 'completed' }), { ratePerSecond: 1, now }), '');
  });

  it('when the rollout has stages, then the current one is named with its devices, phase and gate', () => {
    const stage = { index: 0, of: 3, name: 'canary', devices: 5, min_success_rate: 0.95, bake_until: null };
    const settling = viewOf({ total: 50 }, { stage: { ...stage, phase: 'settling' } });
    assert.equal(stageLineOf(settling), 'stage 1 of 3: canary (5 devices), waiting for its answers; gate: 95% success');
    const baking = viewOf(
      { total: 50 },
      { stage: { ...stage, phase: 'baking', bake_until: '2026-12-07T15:10:00.000Z' } },
    );
    assert.match(stageLineOf(baking, timeZone) ?? '', /, baking until 15:10:00; gate/);
    const rest = viewOf(
      { total: 50 },
      {
        stage: {
          index: 2,
          of: 3,
          name: 'the rest of the fleet',
          devices: null,
          phase: 'dispatching',
          min_success_rate: null,
          bake_until: null,
        },
      },
    );
    assert.equal(stageLineOf(rest), 'stage 3 of 3: the rest of the fleet, sending');
  });

  it('when a stage waits for an approval, then the block says so and how to give it', () => {
    const view = viewOf(
      { total: 50, success: 5 },
      {
        stage: {
          index: 1,
          of: 3,
          name: 'stage 2',
          devices: 20,
          phase: 'approval',
          min_success_rate: 1,
          bake_until: null,
        },
        waiting_for: 'an approval to start the stage 2, by an operator or admin other than the one who started it',
      },
    );
    const lines = watchLinesOf(view, { ratePerSecond: 0, now, width: 200 });
    assert.ok(
      lines.includes('  stage 2 of 3: stage 2 (20 devices), waiting for an approval to start; gate: 100% success'),
    );
    assert.ok(lines.some((line) => line.startsWith(`  approval needed: "fleet-actions approve ${id}"`)));
    assert.equal(lines[2], '  0.0/s | ETA - (waiting for an approval)');
  });

  it('when what it waits for is longer than the terminal, then it wraps to the width and nothing is cut', () => {
    const waiting =
      "the canary's answers (5 devices; 3 online devices to answer, 2 offline devices to connect or reach their deadline), then its gate; the maintenance window opening at 2026-12-08T02:00:00.000Z (mon-fri 02:00-04:00 Europe/Berlin)";
    const view = viewOf({ total: 400, success: 10, pending: 385, sent: 3, enqueued: 2 }, { waiting_for: waiting });
    for (const width of [40, 80, 100]) {
      const lines = watchLinesOf(view, { ratePerSecond: 2, now, width });
      assert.ok(
        lines.every((line) => line.length <= width),
        `${width}: ${lines.join('|')}`,
      );
      const start = lines.findIndex((line) => line.startsWith('  waiting for '));
      const words = lines
        .slice(start)
        .map((line) => line.trim())
        .join(' ');
      assert.equal(words, `waiting for ${waiting}`);
    }
  });

  it('when a word is longer than a line, then it is cut into pieces that each fit', () => {
    assert.deepEqual(wrapText('ab abcdefghij', 6, '  ', '    '), [
      '  ab',
      '    ab',
      '    cd',
      '    ef',
      '    gh',
      '    ij',
    ]);
    assert.deepEqual(wrapText('one two three', 9), ['one two', 'three']);
  });
});
