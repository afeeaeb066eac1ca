import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceCommandInput } from '../../activities/device-command.activities';
import { ResendSchedule } from '../../workflows/resend-schedule';

const command = (deviceId: string) => ({ device: { deviceId } }) as unknown as DeviceCommandInput;

describe('resend schedule', () => {
  it('when devices stay silent, then each is due a window after its previous send, and never after its last', () => {
    const schedule = new ResendSchedule();
    schedule.add('a', command('a'), [10, 20, 70], 0);
    schedule.add('b', command('b'), [10, 20, 70], 5);
    assert.equal(schedule.earliest(), 10);
    assert.deepEqual(
      schedule.takeDue(10).map((send) => [send.device.deviceId, send.attempt]),
      [['a', 2]],
    );
    assert.equal(schedule.earliest(), 15);
    assert.deepEqual(
      schedule.takeDue(30).map((send) => [send.device.deviceId, send.attempt]),
      [
        ['a', 3],
        ['b', 2],
      ],
    );
    assert.equal(schedule.sendsOf('a'), 3);
    assert.equal(schedule.earliest(), 35, 'a has no send left; b is due 20 after its second');
    schedule.takeDue(35);
    assert.equal(schedule.pending, false);
  });

  it('when a device answers, then it leaves the schedule; a device with one send never enters it', () => {
    const schedule = new ResendSchedule();
    schedule.add('a', command('a'), [10, 20], 0);
    schedule.add('b', command('b'), [30], 0);
    schedule.remove('a');
    assert.equal(schedule.pending, false);
    assert.deepEqual(schedule.takeDue(100), []);
  });
});
