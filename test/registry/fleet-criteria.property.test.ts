import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FleetCriteria } from '../../contracts/fleet.schema';
import { createCompany } from '../../registry/companies.repository';
import type { Database } from '../../registry/database';
import { createDeviceType } from '../../registry/device-types.repository';
import { upsertDevices, type DeviceUpsertRow } from '../../registry/device-upsert.repository';
import { fleetCriteriaWhere } from '../../registry/fleet-criteria';
import { openTestDatabase } from '../support/test-database';

// Small pools make overlaps likely; awkward strings (quotes, commas, braces, NULL, case) check
// that values travel as parameters, not as text pasted into SQL or array literals.
const tagPool = ['a', 'A', 'b', 'lobby', 'a,b', '"q"', '{x}', 'NULL', ' '];
const metadataKeys = ['region', 'Region', 'floor'];
const metadataValues = ['eu', 'EU', 'us', '', '1'];
const uniqueIdPool = Array.from({ length: 12 }, (_, index) => `SN-${index}`);

function deviceArbitrary(typeIds: string[]) {
  return fc.record({
    unique_id: fc.constantFrom(...uniqueIdPool),
    device_type_id: fc.constantFrom(...typeIds),
    tags: fc.uniqueArray(fc.constantFrom(...tagPool), { maxLength: 4 }),
    metadata: fc.dictionary(fc.constantFrom(...metadataKeys), fc.constantFrom(...metadataValues), { maxKeys: 3 }),
  });
}

function criteriaArbitrary(typeIds: string[]): fc.Arbitrary<FleetCriteria> {
  const nonEmpty = <Value>(values: Value[]) =>
    fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 3 });
  return fc.record(
    {
      device_type_ids: nonEmpty(typeIds),
      tags_all: nonEmpty(tagPool),
      tags_any: nonEmpty(tagPool),
      metadata: fc.dictionary(fc.constantFrom(...metadataKeys), fc.constantFrom(...metadataValues), {
        minKeys: 1,
        maxKeys: 2,
      }),
      unique_ids: nonEmpty(uniqueIdPool),
    },
    { requiredKeys: [] },
  );
}

// The straightforward reading of the criteria: every given clause holds.
function matches(device: DeviceUpsertRow, criteria: FleetCriteria): boolean {
  const tags = device.tags ?? [];
  const metadata = device.metadata ?? {};
  return (
    (!criteria.device_type_ids || criteria.device_type_ids.includes(device.device_type_id)) &&
    (!criteria.tags_all || criteria.tags_all.every((tag) => tags.includes(tag))) &&
    (!criteria.tags_any || criteria.tags_any.some((tag) => tags.includes(tag))) &&
    (!criteria.metadata || Object.entries(criteria.metadata).every(([key, value]) => metadata[key] === value)) &&
    (!criteria.unique_ids || criteria.unique_ids.includes(device.unique_id))
  );
}

function uniqueByUniqueId(devices: DeviceUpsertRow[]): DeviceUpsertRow[] {
  return [...new Map(devices.map((device) => [device.unique_id, device])).values()];
}

describe('fleet criteria resolution', () => {
  let database: Database;
  const companies: { id: string; typeIds: string[] }[] = [];

  before(async () => {
    database = await openTestDatabase();
    for (const name of ['Alpha', 'Beta']) {
      const company = await createCompany(database, name);
      const typeIds: string[] = [];
      for (const type of ['gateway', 'sensor', 'cloud_native'] as const) {
        typeIds.push((await createDeviceType(database, company.id, { name: type, type }))._id);
      }
      companies.push({ id: company.id, typeIds });
    }
  });
  after(() => database.close());

  test('when criteria are resolved in SQL on a random registry, then they select exactly the devices the in-memory reference selects', async () => {
    const [alpha, beta] = companies as [(typeof companies)[0], (typeof companies)[0]];
    await fc.assert(
      fc.asyncProperty(
        fc.array(deviceArbitrary(alpha.typeIds), { maxLength: 12 }),
        fc.array(deviceArbitrary(beta.typeIds), { maxLength: 12 }),
        fc.array(criteriaArbitrary(alpha.typeIds), { minLength: 1, maxLength: 8 }),
        async (alphaDevices, betaDevices, criteriaList) => {
          await database.query('delete from devices');
          const alphaRegistry = uniqueByUniqueId(alphaDevices);
          await upsertDevices(database, alpha.id, alphaRegistry);
          await upsertDevices(database, beta.id, uniqueByUniqueId(betaDevices));
          for (const criteria of criteriaList) {
            const where = fleetCriteriaWhere(criteria, 1);
            const rows = await database.query<{ unique_id: string }>(
              `select d.unique_id from devices d where d.company_id = $1 and ${where.sql}`,
              [alpha.id, ...where.params],
            );
            const expected = alphaRegistry
              .filter((device) => matches(device, criteria))
              .map((device) => device.unique_id);
            assert.deepEqual(rows.map((row) => row.unique_id).sort(), expected.sort(), JSON.stringify(criteria));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
