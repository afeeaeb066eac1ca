import { parseArgs } from 'node:util';
import { openTestDatabase } from '../harness/test-database';
import { listAuditEntries } from '../registry/audit-entries.repository';
import { newObjectId } from '../registry/object-id';
import { insertGeneratedCompany } from '../registry/simulated-devices.repository';
import { countSettingCompliance, listComplianceDevices } from '../registry/setting-compliance.repository';
import { summarizeLatencies } from './support/latency-summary';

// The operator console's registry reads at fleet scale, straight against the registry (no
// Temporal, no HTTP): the setting-compliance summary (one query over the fleet's devices) and its
// device page, and the audit list with and without filters over a large trail; pages without and
// with their total (page_meta=true), in a throw-away database on the PostgreSQL server named by
// DATABASE_URL (e.g. `npm start`'s embedded one). Ends with `RESULT {json}`.
//   npx tsx bench/console-queries.bench.ts [--devices 100000] [--entries 200000] [--rounds 20]

function optionsFromArguments(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { devices: { type: 'string' }, entries: { type: 'string' }, rounds: { type: 'string' } },
  });
  return {
    devices: Math.min(500_000, Math.max(1, Number(values.devices ?? 100_000))),
    entries: Math.min(2_000_000, Math.max(1, Number(values.entries ?? 200_000))),
    rounds: Math.min(1000, Math.max(1, Number(values.rounds ?? 20))),
  };
}

async function timed(rounds: number, work: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return summarizeLatencies(samples);
}

const options = optionsFromArguments(process.argv.slice(2));
const database = await openTestDatabase();
try {
  const { companyId } = await insertGeneratedCompany(database, 'console-bench', options.devices);
  const configurationId = newObjectId();
  const settingId = newObjectId();
  await database.query(
    'update device_types set capabilities = \'{"actions": {"send_config": true}}\' where company_id = $1',
    [companyId],
  );
  await database.query("insert into configurations (id, company_id, name) values ($1, $2, 'bench')", [
    configurationId,
    companyId,
  ]);
  await database.query("insert into settings (id, company_id, configuration_id, name) values ($1, $2, $3, 'bench')", [
    settingId,
    companyId,
    configurationId,
  ]);
  await database.query(
    `insert into setting_versions (setting_id, version, "values") select $1, v, '{}' from generate_series(1, 3) as v`,
    [settingId],
  );
  // A quarter of the devices on each of versions 0 (none), 1, 2 and 3.
  await database.query(
    `update devices set applied_settings = case when abs(hashtext(id)) % 4 = 0 then '{}'::jsonb
       else jsonb_build_object($2::text, abs(hashtext(id)) % 4) end where company_id = $1`,
    [companyId, settingId],
  );
  // Statistics as a registry in use has them (autovacuum would, some time after a bulk insert).
  await database.query('analyze');
  const scope = { companyId, settingId, configurationDeviceTypeIds: [], criteria: {} };
  const summary = await timed(options.rounds, () => countSettingCompliance(database, scope));
  const firstPage = { page: 1, perPage: 100 };
  const behind = await timed(options.rounds, () =>
    listComplianceDevices(database, scope, { notLatest: true }, firstPage, { withTotal: false }),
  );
  const behindCounted = await timed(options.rounds, () =>
    listComplianceDevices(database, scope, { notLatest: true }, firstPage),
  );

  const users = Array.from({ length: 20 }, () => newObjectId());
  await database.query(
    `insert into audit_entries (id, company_id, at, actor_user_id, actor_email, actor_role, address, action, method, path,
       object_type, object_id, status_code)
     select md5(random()::text || g)::text, $1, now() - (g || ' seconds')::interval, ($2::text[])[1 + g % 20],
       'user' || (g % 20) || '@bench.example.com', 'operator', '127.0.0.1', 'bulk_response.pause', 'POST', '/x',
       'bulk_response', md5(g::text), 202
     from generate_series(1, $3::int) as g`,
    [companyId, users, options.entries],
  );
  await database.query('analyze audit_entries');
  const recent = { actor: users[3], since: new Date(Date.now() - 86_400_000) };
  const uncounted = { withTotal: false };
  const auditPage = await timed(options.rounds, () => listAuditEntries(database, companyId, {}, firstPage, uncounted));
  const auditCounted = await timed(options.rounds, () => listAuditEntries(database, companyId, {}, firstPage));
  const auditByActor = await timed(options.rounds, () =>
    listAuditEntries(database, companyId, recent, firstPage, uncounted),
  );
  const result = {
    engine: 'postgresql',
    devices: options.devices,
    entries: options.entries,
    compliance_summary_ms: summary,
    compliance_devices_page_ms: behind,
    compliance_devices_page_with_total_ms: behindCounted,
    audit_first_page_ms: auditPage,
    audit_first_page_with_total_ms: auditCounted,
    audit_by_actor_page_ms: auditByActor,
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await database.close();
}
