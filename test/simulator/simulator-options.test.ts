import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../config/config';
import { parseLatency } from '../../simulator/device-behaviour';
import { defaultSimulatorSeed } from '../../simulator/seeded-random';
import { parseSimulatorOptions, simulatorUsage, type SimulatorOptions } from '../../simulator/simulator-options';

const defaults = {
  apiUrl: 'http://127.0.0.1:3000',
  mqttUrl: 'mqtt://127.0.0.1:1883',
  credentialsFile: 'data/demo-credentials.json',
};

function parsed(argv: string[], given = defaults): SimulatorOptions {
  const command = parseSimulatorOptions(argv, given);
  if (command.help) throw new Error('help was not asked for');
  return command;
}

describe('simulator options', () => {
  it('when only a fleet is given, then the defaults describe the embedded stack and the fixed seed', () => {
    const options = parsed(['--fleet', 'abc']);
    assert.equal(options.api, 'http://127.0.0.1:3000');
    assert.equal(options.mqttUrl, 'mqtt://127.0.0.1:1883');
    assert.equal(options.durationSeconds, undefined);
    assert.equal(options.seed, defaultSimulatorSeed);
    assert.deepEqual(options.latency, { minMs: 50, maxMs: 500 });
  });

  it('when --help or -h is given, then help is asked for and no fleet is required', () => {
    assert.deepEqual(parseSimulatorOptions(['--help'], defaults), { help: true });
    assert.deepEqual(parseSimulatorOptions(['-h'], defaults), { help: true });
    const usage = simulatorUsage(defaults);
    for (const option of ['--fleet', '--seed', '--offline-share', '--summary-file', '--help'])
      assert.ok(usage.includes(option), `usage names ${option}`);
  });

  it('when PORT, MQTT_PORT and DATA_DIR are set, then the defaults come from the configuration', () => {
    const config = loadConfig({ PORT: '3999', MQTT_PORT: '18830' });
    const fromConfig = {
      apiUrl: `http://127.0.0.1:${config.api.port}`,
      mqttUrl: config.mqtt.deviceUrl,
      credentialsFile: 'elsewhere/demo-credentials.json',
    };
    const options = parsed(['--fleet', 'abc'], fromConfig);
    assert.equal(options.api, 'http://127.0.0.1:3999');
    assert.equal(options.mqttUrl, 'mqtt://127.0.0.1:18830');
    assert.equal(options.credentialsFile, 'elsewhere/demo-credentials.json');
    assert.ok(simulatorUsage(fromConfig).includes('http://127.0.0.1:3999'));
  });

  it('when behaviour options are given, then they are parsed and bounded', () => {
    const options = parsed([
      '--devices',
      '100',
      '--latency-ms',
      '10,20',
      '--failure-rate',
      '0.1',
      '--offline-share',
      '0.2',
      '--seed',
      '42',
      '--churn',
      '30',
      '--duration',
      '5',
    ]);
    assert.deepEqual(
      [
        options.devices,
        options.failureRate,
        options.offlineShare,
        options.seed,
        options.churnPerMinute,
        options.durationSeconds,
      ],
      [100, 0.1, 0.2, 42, 30, 5],
    );
    assert.throws(() => parseSimulatorOptions(['--devices', '1', '--failure-rate', '2'], defaults), /failure-rate/);
    assert.throws(() => parseSimulatorOptions(['--devices', '1', '--seed', '1.5'], defaults), /seed/);
    assert.throws(() => parseSimulatorOptions(['--devices', '1', '--seed', ''], defaults), /seed/);
    assert.throws(() => parseSimulatorOptions(['--devices', '1', '--colour', 'red'], defaults), /colour/);
    assert.throws(() => parseSimulatorOptions([], defaults), /--fleet/);
  });

  it('when progress and bricking options are given, then they are parsed and bounded; by default no device has them', () => {
    const options = parsed([
      '--devices',
      '10',
      '--progress-share',
      '0.3',
      '--progress-ms',
      '15000',
      '--brick-share',
      '0.2',
      '--brick-after-ms',
      '100',
    ]);
    assert.deepEqual(
      [options.progressShare, options.progressWorkMs, options.brickShare, options.brickAfterMs],
      [0.3, 15000, 0.2, 100],
    );
    const plain = parsed(['--devices', '10']);
    assert.deepEqual([plain.progressShare, plain.brickShare], [0, 0]);
    assert.throws(() => parseSimulatorOptions(['--devices', '1', '--brick-share', '1.5'], defaults), /brick-share/);
    assert.throws(() => parseSimulatorOptions(['--devices', '1', '--progress-ms', '-1'], defaults), /progress-ms/);
    for (const option of ['--progress-share', '--progress-ms', '--brick-share', '--brick-after-ms'])
      assert.ok(simulatorUsage(defaults).includes(option), `usage names ${option}`);
  });

  it('when a latency is a single number or reversed, then it is fixed or refused', () => {
    assert.deepEqual(parseLatency('25'), { minMs: 25, maxMs: 25 });
    assert.throws(() => parseLatency('30,10'));
    assert.throws(() => parseLatency('a,b'));
  });
});
