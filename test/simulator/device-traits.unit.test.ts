import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBrickWatch, isRestartingCommand } from '../../simulator/device-bricking';
import { chooseDeviceShare } from '../../simulator/device-share-selection';
import { chooseOfflineDevices } from '../../simulator/offline-selection';
import { extensionMarginMs, extensionSeconds, plannedReports } from '../../simulator/progress-reports';

const fleet = Array.from({ length: 200 }, (_, index) => ({ deviceId: index.toString(16).padStart(24, '0') }));
const command = (name: string, executionId = `bulk.${name}`) => ({
  execution_id: executionId,
  kind: 'command' as const,
  name,
  payload: {},
  issued_at: new Date().toISOString(),
  expires_at: new Date(Date.now() + 10_000).toISOString(),
});

describe('simulated device traits: selection, progress schedule, bricking', () => {
  it('when a share is chosen twice with one seed, then the same devices; another trait chooses on its own', () => {
    const progress = chooseDeviceShare(fleet, 0.1, 3, 'progress');
    assert.equal(progress.size, 20);
    assert.deepEqual(chooseDeviceShare(fleet, 0.1, 3, 'progress'), progress);
    assert.notDeepEqual(chooseDeviceShare(fleet, 0.1, 3, 'brick'), progress);
    assert.notDeepEqual(chooseDeviceShare(fleet, 0.1, 4, 'progress'), progress);
    // Offline devices are chosen as before the other traits existed.
    assert.deepEqual(chooseOfflineDevices(fleet, 0.1, 3), chooseDeviceShare(fleet, 0.1, 3, 'offline'));
  });

  it('when a device works 9 s, then it reports at 0, 3 and 6 s with rising percents and steps', () => {
    assert.deepEqual(plannedReports(9000), [
      { afterMs: 0, percent: 0, step: 'started' },
      { afterMs: 3000, percent: 33, step: 'working' },
      { afterMs: 6000, percent: 67, step: 'finishing' },
    ]);
  });

  it('when the work would end after the deadline, then it asks for the rest and a margin; else for nothing', () => {
    const now = 1_000_000;
    assert.equal(extensionSeconds(now, now + 5000, now + 10_000), undefined);
    // Ends 1 s before the deadline: within the margin, so it asks.
    assert.equal(extensionSeconds(now, now + 9000, now + 10_000), Math.ceil((9000 + extensionMarginMs) / 1000));
    assert.equal(extensionSeconds(now, now + 20_000, now + 10_000), 22);
    assert.equal(extensionSeconds(now, now, now - 5000), Math.ceil(extensionMarginMs / 1000));
  });

  it('when a bricking device answers a restarting command with success, then that answer is its last', () => {
    assert.ok(isRestartingCommand(command('reboot')));
    assert.ok(isRestartingCommand(command('software_update')));
    assert.ok(!isRestartingCommand(command('status')));
    assert.ok(!isRestartingCommand({ kind: 'configuration', name: 'reboot' }));
    const watch = createBrickWatch(true);
    watch.acted(command('reboot', 'a.1'));
    watch.acted(command('status', 'b.1'));
    assert.equal(watch.bricksAfter({ execution_id: 'b.1', status: 'success' }), false, 'not a restart');
    assert.equal(watch.bricksAfter({ execution_id: 'a.1', status: 'in_progress' }), false, 'still working');
    assert.equal(watch.bricksAfter({ execution_id: 'a.1', status: 'success' }), true);
    watch.acted(command('reboot', 'c.1'));
    assert.equal(watch.bricksAfter({ execution_id: 'c.1', status: 'fail' }), false, 'a failed reboot keeps it alive');
  });

  it('when a device does not brick, then no answer is its last', () => {
    const watch = createBrickWatch(false);
    watch.acted(command('reboot', 'a.1'));
    assert.equal(watch.bricksAfter({ execution_id: 'a.1', status: 'success' }), false);
  });
});
