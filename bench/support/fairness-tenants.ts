import type { BrokerHarness } from '../../harness/broker-harness';
import { createFleet } from '../../registry/fleets.repository';
import type { SimulatedDevice } from '../../simulator/simulated-device';
import { createBenchTenant } from './bench-tenant';

// The fairness bench's two companies. Company A: a big fleet (tag `bulk`) and a small one (tag
// `urgent`), apart so that its two rollouts never command the same device. Company B: a small
// fleet of its own. Every device is one the simulator connects.

export interface FairnessTenant {
  authorization: string;
  fleetId: string;
}

export interface FairnessTenants {
  big: FairnessTenant;
  urgent: FairnessTenant;
  other: FairnessTenant;
  devices: SimulatedDevice[];
}

export async function createFairnessTenants(
  harness: BrokerHarness,
  bigDevices: number,
  smallDevices: number,
): Promise<FairnessTenants> {
  const { database } = harness;
  const companyA = await harness.addCompany(bigDevices + smallDevices);
  const urgentIds = companyA.devices.slice(bigDevices).map((device) => device.deviceId);
  await database.query("update devices set tags = array['bulk'] where company_id = $1 and not (id = any($2))", [
    companyA.companyId,
    urgentIds,
  ]);
  await database.query("update devices set tags = array['urgent'] where id = any($1)", [urgentIds]);
  const tenantA = await createBenchTenant(database, companyA.companyId);
  const bigFleet = await createFleet(database, companyA.companyId, { name: 'bulk', criteria: { tags_any: ['bulk'] } });
  const urgentFleet = await createFleet(database, companyA.companyId, {
    name: 'urgent',
    criteria: { tags_any: ['urgent'] },
  });
  const companyB = await harness.addCompany(smallDevices);
  const tenantB = await createBenchTenant(database, companyB.companyId);
  return {
    big: { authorization: tenantA.authorization, fleetId: bigFleet._id },
    urgent: { authorization: tenantA.authorization, fleetId: urgentFleet._id },
    other: { authorization: tenantB.authorization, fleetId: tenantB.fleetId },
    devices: [...companyA.devices, ...companyB.devices],
  };
}
