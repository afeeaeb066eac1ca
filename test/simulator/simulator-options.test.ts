import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLatency } from '../../simulator/device-behaviour';
import { parseSimulatorOptions } from '../../simulator/simulator-options';

describe('simulator options', () => {
  it('when only a fleet is given, then the defaults describe the embedded stack', () => {
    const options = parseSimulatorOptions(['--fleet', 'abc'], 'mqtt://127.0.0.1:1883');
    assert.equal(options.api, 'http://127.0.0.1:3000');
    assert.equal(options.mqttUrl, 'mqtt://127.0.0.1:1883');
    assert.equal(options.durationSeconds, undefined);
    assert.deepEqual(options.latency, { minMs: 50, maxMs: 500 });
  });

  it('when behaviour options are given, then they are parsed and bounded', () => {
    const options = parseSimulatorOptions(
      [
        '--devices',
        '100',
        '--latency-ms',
        '10,20',
        '--failure-rate',
        '0.1',
        '--offline-share',
        '0.2',
        '--churn',
        '30',
        '--duration',
        '5',
      ],
      'mqtt://x',
    );
    assert.deepEqual(
      [options.devices, options.failureRate, options.offlineShare, options.churnPerMinute, options.durationSeconds],
      [100, 0.1, 0.2, 30, 5],
    );
    assert.throws(() => parseSimulatorOptions(['--devices', '1', '--failure-rate', '2'], 'mqtt://x'), /failure-rate/);
    assert.throws(() => parseSimulatorOptions([], 'mqtt://x'), /--fleet/);
  });

  it('when a latency is a single number or reversed, then it is fixed or refused', () => {
    assert.deepEqual(parseLatency('25'), { minMs: 25, maxMs: 25 });
    assert.throws(() => parseLatency('30,10'));
    assert.throws(() => parseLatency('a,b'));
  });
});
