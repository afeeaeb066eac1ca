import type { Command } from 'commander';
import { authenticatedClient, type ApiClient } from '../api-client';
import type { ComplianceDevice, SettingCompliance } from '../api-types';
import { fleetIdOf } from '../fleet-reference';
import { idOfNamed } from '../named-reference';
import { printJson, printLines, printTable, type GlobalOptions } from '../output';

interface ComplianceOptions {
  fleet?: string;
  devices?: boolean;
  version?: string;
  notLatest?: boolean;
  limit: string;
}

function summaryLines(compliance: SettingCompliance): string[] {
  return [
    `latest version  ${compliance.latest_version}`,
    `devices         ${compliance.devices} (${compliance.not_latest} not on the latest; ${compliance.not_applicable} the configuration does not apply to)`,
    ...compliance.versions.map(
      (bucket) =>
        `  version ${String(bucket.version).padEnd(5)} ${bucket.devices}${bucket.version === 0 ? ' (none)' : ''}`,
    ),
  ];
}

async function pathOf(client: ApiClient, configuration: string, setting: string): Promise<string> {
  const configurationId = await idOfNamed(client, configuration, {
    path: '/configurations',
    what: 'configuration',
    listedBy: 'GET /configurations',
  });
  const settingId = await idOfNamed(client, setting, {
    path: `/settings?configuration_id=${configurationId}`,
    what: 'setting',
    listedBy: 'GET /settings?configuration_id=...',
  });
  return `/configurations/${configurationId}/settings/${settingId}/compliance`;
}

// `fleet-actions compliance <configuration> <setting>`: which version of a setting the devices
// run; --devices lists them (by serial), e.g. those behind the latest with --not-latest.
export function registerComplianceCommand(program: Command): void {
  program
    .command('compliance')
    .description('Which version of a setting a fleet runs (--devices: which devices)')
    .argument('<configuration>', 'configuration id or name')
    .argument('<setting>', 'setting id or name (of that configuration)')
    .option('--fleet <fleet>', 'only this fleet (id or name); else every device of the company')
    .option('--devices', 'list the devices instead of the counts')
    .option('--version <n>', 'with --devices: only those running this version (0: none)')
    .option('--not-latest', 'with --devices: only those not on the latest version')
    .option('--limit <n>', 'with --devices: how many', '100')
    .action(async (configuration: string, setting: string, options: ComplianceOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const path = await pathOf(client, configuration, setting);
      const query = new URLSearchParams();
      if (options.fleet) query.set('fleet_id', await fleetIdOf(client, options.fleet));
      if (!options.devices) {
        const compliance = await client.request<SettingCompliance>('GET', `${path}?${query.toString()}`);
        return globals.json ? printJson(compliance) : printLines(summaryLines(compliance));
      }
      query.set('per_page', options.limit);
      if (options.version !== undefined) query.set('version', options.version);
      if (options.notLatest) query.set('not_latest', 'true');
      const devices = await client.request<ComplianceDevice[]>('GET', `${path}/devices?${query.toString()}`);
      if (globals.json) return printJson(devices);
      printTable(
        ['ID', 'UNIQUE_ID', 'NAME', 'VERSION', 'HEARTBEAT'],
        devices.map((device) => [
          device._id,
          device.unique_id,
          device.name,
          String(device.version),
          device.heartbeat_status,
        ]),
      );
    });
}
