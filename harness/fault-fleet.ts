import type { Queryable } from '../registry/database';
import type { DeviceBehaviour } from '../simulator/device-behaviour';
import { startSimulatedFleet, type SimulatedFleet } from '../simulator/device-fleet';
import { silentLogger } from './device-fixtures';
import type { FaultTenant } from './fault-tenant';

// The tenant's devices, simulated and connected, and known online by the registry before a
// rollout starts: a device is online once a worker recorded its heartbeat, and the rollout sends
// at once only to online devices (the others wait `enqueued` until they are heard). Start a
// worker first. Heartbeats every 30 s (the 300 s default period, 10 times faster) keep every
// device online through a whole fault run (1.5 periods without one) at a modest message rate.

const onlineWithinMilliseconds = 120_000;

export async function startOnlineFleet(options: {
  database: Queryable;
  brokerUrl: string;
  tenant: FaultTenant;
  behaviour?: Partial<DeviceBehaviour>;
}): Promise<SimulatedFleet> {
  const { database, tenant, behaviour } = options;
  const fleet = await startSimulatedFleet({
    url: options.brokerUrl,
    devices: tenant.devices,
    behaviour: { latency: { minMs: 50, maxMs: 250 }, heartbeatScale: 10, ...behaviour },
    connectConcurrency: 500,
    logger: silentLogger,
  });
  const deadline = Date.now() + onlineWithinMilliseconds;
  for (;;) {
    const [row] = await database.query<{ unseen: number }>(
      'select count(*)::int as unseen from devices where company_id = $1 and last_seen_at is null',
      [tenant.companyId],
    );
    if (row?.unseen === 0) return fleet;
    if (Date.now() > deadline) {
      await fleet.stop();
      throw new Error(`${row?.unseen} devices not seen online within ${onlineWithinMilliseconds / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
