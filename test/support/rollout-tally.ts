import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { BulkResponseView } from '../../api/services/bulk-response-view.service';
import { isDeviceAction, type ActionName } from '../../contracts/action-catalogue';
import { executionAddressOf } from '../../contracts/ids';
import { deviceStatuses, isFinalDeviceStatus } from '../../contracts/statuses';
import { finalStatusChanges } from '../../harness/final-once-witness';
import type { Queryable } from '../../registry/database';
import type { SimulatedFleet } from '../../simulator/device-fleet';
import { bulkResponseClient } from './bulk-response-client';

// The tally every end-to-end rollout must pass, read the way a client reads it: the counts of the
// bulk response are the per-device entries paged from /responses, status by status; once it
// ended, every entry is final and none left a final status (the registry's witness); and for a
// device action, the devices the simulator saw act on this bulk response's commands are exactly
// the entries counted success or fail (each act counted, once).

export interface RolloutTally {
  view: BulkResponseView;
  entries: number;
  // Devices whose simulator acted on a command of this bulk response.
  acted: number;
}

export async function assertRolloutTally(options: {
  app: Express;
  token: string;
  database: Queryable;
  bulkResponseId: string;
  // Every simulated fleet that may have received this bulk response's commands.
  fleets: readonly SimulatedFleet[];
}): Promise<RolloutTally> {
  const client = bulkResponseClient(options.app, options.token);
  const id = options.bulkResponseId;
  const view = await client.view(id);
  const entries = await client.allResponses(id);
  const shown = `${id} (${view.status}): ${JSON.stringify(view.counts)}`;
  assert.equal(new Set(entries.map((entry) => entry.device_id)).size, entries.length, `one entry per device: ${shown}`);
  for (const status of deviceStatuses) {
    if (status === 'pending') continue;
    const rows = entries.filter((entry) => entry.status === status).length;
    assert.equal(view.counts[status], rows, `${status}: counts are the entries (${shown})`);
  }
  assert.equal(view.counts.total - view.counts.pending, entries.length, `every reached device has an entry: ${shown}`);
  if (view.completed_at) {
    assert.equal(view.counts.pending, 0, `no device left unreached: ${shown}`);
    const open = entries.filter((entry) => !isFinalDeviceStatus(entry.status));
    assert.deepEqual(open, [], `every entry final once ended: ${shown}`);
  }
  assert.deepEqual(await finalStatusChanges(options.database, id), [], `no entry left a final status: ${shown}`);
  const acts = options.fleets.flatMap((fleet) => fleet.executions(id)).filter((log) => log.actedAt !== undefined);
  if (isDeviceAction(view.action as ActionName)) {
    const answered = new Set(
      entries.filter((entry) => entry.status === 'success' || entry.status === 'fail').map((entry) => entry.device_id),
    );
    const actedDevices = new Set(acts.map((log) => executionAddressOf(log.executionId)?.deviceId));
    assert.equal(acts.length, actedDevices.size, `each device acted once: ${shown}`);
    const lost = [...actedDevices].filter((deviceId) => !answered.has(deviceId ?? ''));
    assert.deepEqual(lost, [], `every device that acted is counted success or fail: ${shown}`);
    assert.equal(acts.length, view.counts.success + view.counts.fail, `acted = success + fail: ${shown}`);
  } else {
    assert.equal(acts.length, 0, `a registry action commands no device: ${shown}`);
  }
  return { view, entries: entries.length, acted: acts.length };
}

// Every bulk response of the company that ended, each through assertRolloutTally: the last test
// of an end-to-end suite, so no rollout the suite ran escapes the tally. Answers how many.
export async function assertEveryEndedRolloutTallies(options: {
  app: Express;
  token: string;
  database: Queryable;
  companyId: string;
  fleets: readonly SimulatedFleet[];
}): Promise<number> {
  const ended = await options.database.query<{ id: string }>(
    'select id from bulk_responses where company_id = $1 and completed_at is not null order by created_at',
    [options.companyId],
  );
  for (const { id } of ended) await assertRolloutTally({ ...options, bulkResponseId: id });
  return ended.length;
}
