import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseOfflineDevices } from '../../simulator/offline-selection';
import { derivedRandom, mulberry32, sampleIndexes } from '../../simulator/seeded-random';

const fleet = Array.from({ length: 1000 }, (_, index) => ({ deviceId: index.toString(16).padStart(24, '0') }));
const positions = (chosen: Set<string>) =>
  fleet.flatMap((device, index) => (chosen.has(device.deviceId) ? [index] : []));

describe('seeded offline spread', () => {
  it('when the same seed is used twice, then the same devices stay offline', () => {
    assert.deepEqual(chooseOfflineDevices(fleet, 0.03, 7), chooseOfflineDevices(fleet, 0.03, 7));
  });

  it('when the seed changes, then other devices stay offline', () => {
    assert.notDeepEqual(chooseOfflineDevices(fleet, 0.03, 7), chooseOfflineDevices(fleet, 0.03, 8));
  });

  it('when 3 % of 1,000 devices are offline, then 30 devices are chosen, spread over the whole fleet', () => {
    const chosen = positions(chooseOfflineDevices(fleet, 0.03, 1));
    assert.equal(chosen.length, 30);
    const firstFifty = chosen.filter((index) => index < 50).length;
    assert.ok(firstFifty <= 6, `a 5 % canary meets ${firstFifty} of the 30 offline devices`);
    for (const quarter of [0, 1, 2, 3]) {
      const inQuarter = chosen.filter((index) => Math.floor(index / 250) === quarter).length;
      assert.ok(inQuarter >= 2, `quarter ${quarter} holds ${inQuarter} offline devices`);
    }
  });

  it('when the share is 0 or 1, then no device or every device is offline', () => {
    assert.equal(chooseOfflineDevices(fleet, 0, 1).size, 0);
    assert.equal(chooseOfflineDevices(fleet, 1, 1).size, 1000);
  });

  it('when indexes are sampled, then they are distinct and within range', () => {
    const sample = sampleIndexes(20, 20, mulberry32(3));
    assert.deepEqual(
      [...sample].sort((left, right) => left - right),
      Array.from({ length: 20 }, (_, index) => index),
    );
  });

  it('when a seeded stream is drawn, then it repeats per seed and label and stays in [0, 1)', () => {
    const draw = (random: () => number) => Array.from({ length: 5 }, random);
    assert.deepEqual(draw(mulberry32(5)), draw(mulberry32(5)));
    assert.notDeepEqual(draw(derivedRandom(5, 'a')), draw(derivedRandom(5, 'b')));
    assert.ok(draw(mulberry32(9)).every((value) => value >= 0 && value < 1));
  });
});
