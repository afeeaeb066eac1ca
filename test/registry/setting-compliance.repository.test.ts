import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany } from '../../registry/companies.repository';
import { createConfiguration } from '../../registry/configurations.repository';
import type { Database, Queryable } from '../../registry/database';
import { createDevice } from '../../registry/devices.repository';
import { createDeviceType } from '../../registry/device-types.repository';
import { addSettingVersion, createSetting } from '../../registry/settings.repository';
import {
  countSettingCompliance,
  listComplianceDevices,
  type ComplianceScope,
} from '../../registry/setting-compliance.repository';
import { openTestDatabase } from '../support/test-database';

// Counts every statement sent, to hold the summary to its one query.
function countingQueries(database: Queryable): { queryable: Queryable; count: () => number } {
  let sent = 0;
  return {
    queryable: {
      query: (sql, params) => {
        sent += 1;
        return database.query(sql, params);
      },
    },
    count: () => sent,
  };
}

describe('setting compliance repository (real registry)', () => {
  let database: Database;
  let scope: ComplianceScope;
  const everything = { page: 1, perPage: 100 };

  before(async () => {
    database = await openTestDatabase();
    const companyId = (await createCompany(database, 'Acme')).id;
    const listed = await createDeviceType(database, companyId, {
      name: 'Gateway',
      type: 'gateway',
      capabilities: { actions: { send_config: true } },
    });
    const unlisted = await createDeviceType(database, companyId, {
      name: 'Other gateway',
      type: 'gateway',
      capabilities: { actions: { send_config: true } },
    });
    const deaf = await createDeviceType(database, companyId, { name: 'Sensor', type: 'sensor' });
    const configuration = await createConfiguration(database, companyId, {
      name: 'Defaults',
      device_type_ids: [listed._id, deaf._id],
    });
    const setting = await createSetting(database, companyId, {
      configuration_id: configuration._id,
      name: 'Network',
      values: { mtu: 1500 },
    });
    await addSettingVersion(database, setting._id, { mtu: 1400 });
    await addSettingVersion(database, setting._id, { mtu: 1300 });
    const versions = [3, 3, 2, 1, undefined, undefined];
    for (const [index, version] of versions.entries()) {
      const device = await createDevice(database, companyId, {
        unique_id: `GW-${index}`,
        device_type_id: listed._id,
        tags: index < 3 ? ['lobby'] : [],
      });
      const applied = version === undefined ? { other: 4 } : { [setting._id]: version, other: 1 };
      await database.query('update devices set applied_settings = $2 where id = $1', [
        device._id,
        JSON.stringify(applied),
      ]);
    }
    for (const [index, typeId] of [unlisted._id, unlisted._id, deaf._id].entries()) {
      await createDevice(database, companyId, { unique_id: `X-${index}`, device_type_id: typeId, tags: ['lobby'] });
    }
    scope = {
      companyId,
      settingId: setting._id,
      configurationDeviceTypeIds: configuration.device_type_ids,
      criteria: {},
    };
  });
  after(() => database?.close());

  it('when compliance is counted, then it answers per version in one query, leaving out types the configuration cannot reach', async () => {
    const counting = countingQueries(database);
    const counts = await countSettingCompliance(counting.queryable, scope);
    assert.equal(counting.count(), 1);
    assert.deepEqual(counts, {
      latestVersion: 3,
      versions: [
        { version: 3, devices: 2 },
        { version: 2, devices: 1 },
        { version: 1, devices: 1 },
        { version: 0, devices: 2 },
      ],
      notApplicable: 3,
    });
  });

  it("when a fleet's criteria are given, then only its devices are counted", async () => {
    const counts = await countSettingCompliance(database, { ...scope, criteria: { tags_any: ['lobby'] } });
    assert.deepEqual(counts.versions, [
      { version: 3, devices: 2 },
      { version: 2, devices: 1 },
    ]);
    assert.equal(counts.notApplicable, 3);
  });

  it('when the fleet holds no device, then the latest version is still answered', async () => {
    const counts = await countSettingCompliance(database, { ...scope, criteria: { tags_any: ['nowhere'] } });
    assert.deepEqual(counts, { latestVersion: 3, versions: [], notApplicable: 0 });
  });

  it('when the configuration lists no device type, then every type that takes configurations counts', async () => {
    const counts = await countSettingCompliance(database, { ...scope, configurationDeviceTypeIds: [] });
    assert.equal(
      counts.versions.find((bucket) => bucket.version === 0)?.devices,
      4,
      'the two other gateways run no version',
    );
    assert.equal(counts.notApplicable, 1);
  });

  it('when devices are listed by version or behind the latest, then the pages hold exactly those', async () => {
    const behind = await listComplianceDevices(database, scope, { notLatest: true }, everything);
    assert.deepEqual(
      behind.rows.map((device) => [device.unique_id, device.version]),
      [
        ['GW-2', 2],
        ['GW-3', 1],
        ['GW-4', 0],
        ['GW-5', 0],
      ],
    );
    assert.equal(behind.total, 4);
    const none = await listComplianceDevices(database, scope, { version: 0 }, { page: 2, perPage: 1 });
    assert.deepEqual([none.total, none.rows.map((device) => device.unique_id)], [2, ['GW-5']]);
    assert.equal(none.rows[0]?.heartbeat_status, 'never_reported');
  });
});
