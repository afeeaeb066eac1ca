import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import request from 'supertest';
import { startEmbeddedHarness } from '../harness/broker-harness';
import { createBenchTenant } from './support/bench-tenant';
import { startEngineOnTarget } from './support/engine-under-test';
import { startSimulatorProcesses } from './support/simulator-process';
import { startTemporalTarget } from './support/temporal-target';

// rollout.rate_per_minute as achieved: for each rate, a fresh stack and a fleet big enough for
// --seconds of sending, devices answering in 50-500 ms, then the sends per minute read from the
// device rows' send times over every 60-second window (one starting each second). The goal: within
// 5 % of the rate over any minute, whatever the answer latency, up to max_in_flight.
//   npx tsx bench/pace.bench.ts [--rates 60,600,6000] [--seconds 75] [--latency-ms 50,500]
const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '60,600,6000' },
    seconds: { type: 'string', default: '75' },
    'latency-ms': { type: 'string', default: '50,500' },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Math.min(300, Math.max(65, Number(values.seconds)));
const platform = '/api/v1/platform';
// Enough room that the window never holds the pace back at 50-500 ms answers.
const maxInFlight = 300;

interface PaceResult {
  ratePerMinute: number;
  devices: number;
  windows: number;
  // Sends in the slowest and fastest 60-second windows, as a share of the rate.
  slowestMinute: number;
  fastestMinute: number;
  achievedPerMinute: number;
  withinFivePercent: boolean;
}

async function measure(ratePerMinute: number): Promise<PaceResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'fleet-pace-'));
  const target = await startTemporalTarget(directory);
  const stops: (() => Promise<unknown>)[] = [() => target.stop()];
  try {
    const devices = Math.ceil((ratePerMinute * seconds) / 60) + 5;
    const harness = await startEmbeddedHarness();
    stops.unshift(() => harness.close());
    const company = await harness.addCompany(devices);
    const tenant = await createBenchTenant(harness.database, company.companyId);
    const engine = await startEngineOnTarget(harness, target, directory, {});
    stops.unshift(() => engine.stop());
    const simulator = await startSimulatorProcesses({
      urls: [harness.deviceUrl],
      devices: company.devices,
      latency: values['latency-ms'],
      directory,
      offlineShare: 0,
    });
    stops.unshift(() => simulator.stop());
    const started = await request(engine.app)
      .post(`${platform}/fleets/${tenant.fleetId}/actions`)
      .set('Authorization', tenant.authorization)
      .send({
        action: 'issue_command',
        gateway_command: 'reboot',
        rollout: { rate_per_minute: ratePerMinute, max_in_flight: maxInFlight, device_timeout_seconds: 120 },
      })
      .expect(202);
    const id = (started.body as { bulk_response_id: string }).bulk_response_id;
    await new Promise((resolve) => setTimeout(resolve, (seconds + 10) * 1000));
    const rows = await harness.database.query<{ sent_at: Date }>(
      'select sent_at from bulk_response_devices where bulk_response_id = $1 and sent_at is not null order by sent_at',
      [id],
    );
    return paceOf(
      ratePerMinute,
      devices,
      rows.map((row) => new Date(row.sent_at).getTime()),
    );
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
    rmSync(directory, { recursive: true, force: true });
  }
}

// Every 60-second window that lies inside the sending, one starting each second.
function paceOf(ratePerMinute: number, devices: number, sentAt: number[]): PaceResult {
  const first = sentAt[0] ?? 0;
  const last = sentAt.at(-1) ?? 0;
  const perWindow: number[] = [];
  for (let start = first; start + 60_000 <= last; start += 1_000) {
    perWindow.push(sentAt.filter((time) => time >= start && time < start + 60_000).length);
  }
  const slowest = Math.min(...perWindow);
  const fastest = Math.max(...perWindow);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    ratePerMinute,
    devices,
    windows: perWindow.length,
    slowestMinute: round(slowest / ratePerMinute),
    fastestMinute: round(fastest / ratePerMinute),
    achievedPerMinute: Math.round(((sentAt.length - 1) / Math.max(1, last - first)) * 60_000),
    withinFivePercent: perWindow.length > 0 && slowest >= ratePerMinute * 0.95 && fastest <= ratePerMinute * 1.05,
  };
}

const results: PaceResult[] = [];
for (const rate of rates) {
  const result = await measure(rate);
  results.push(result);
  process.stdout.write(
    `rate ${rate}/min over ${result.devices} devices: achieved ${result.achievedPerMinute}/min; over ${result.windows} one-minute windows ${result.slowestMinute}x-${result.fastestMinute}x of the rate (within 5 %: ${result.withinFivePercent})\n`,
  );
}
process.stdout.write(`RESULT ${JSON.stringify({ bench: 'pace', seconds, results })}\n`);
process.exit(0);
