import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from './cli-error';

export interface ActionOptions {
  body?: string;
  action?: string;
  gatewayCommand?: string;
  gatewayCommandParams?: string;
  commandId?: string;
  tags?: string;
  metadata?: string;
  heartbeatPeriod?: string;
  configurationId?: string;
  settingId?: string;
  settingVersion?: string;
  rollout?: string;
  maxInFlight?: string;
  ratePerMinute?: string;
  deviceTimeout?: string;
  canaryPercent?: string;
  skipOffline?: boolean;
}

// The fleet-action options shared by `preview` and `start`; the server validates the body (and
// names each wrong field), so the two verbs send exactly what the API documents.
export function addActionOptions(command: Command): Command {
  return command
    .option('--body <file|json>', 'the whole request body, as a JSON file or inline JSON (flags below override it)')
    .option('--action <name>', 'issue_command | add_tags | add_metadata | update_heartbeat | send_configuration')
    .option('--gateway-command <name>', 'issue_command: a gateway command, e.g. reboot')
    .option('--gateway-command-params <json>', 'issue_command: parameters, e.g. \'{"level":"debug"}\'')
    .option('--command-id <id>', 'issue_command / send_configuration: a user-defined command')
    .option('--tags <a,b>', 'add_tags: comma-separated tags')
    .option('--metadata <k=v,...>', 'add_metadata: comma-separated key=value pairs')
    .option('--heartbeat-period <seconds>', 'update_heartbeat: the new period')
    .option('--configuration-id <id>', 'send_configuration: the configuration')
    .option('--setting-id <id>', 'send_configuration: the setting')
    .option('--setting-version <n>', 'send_configuration: the version (0 = latest)')
    .option('--rollout <json>', 'rollout controls as JSON, e.g. \'{"max_in_flight":50}\'')
    .option('--max-in-flight <n>', 'rollout.max_in_flight')
    .option('--rate-per-minute <n>', 'rollout.rate_per_minute')
    .option('--device-timeout <seconds>', 'rollout.device_timeout_seconds')
    .option('--canary-percent <percent>', 'rollout.canary.percent')
    .option('--skip-offline', 'rollout.skip_offline: skip devices that are not online');
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

async function baseBody(body: string | undefined): Promise<Record<string, unknown>> {
  if (body === undefined) return {};
  if (body.trimStart().startsWith('{')) return parseJson(body, '--body');
  return parseJson(await readFile(body, 'utf8'), `--body file ${body}`);
}

const asNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const list = (value: string | undefined) => value?.split(',').map((item) => item.trim());

function rolloutOf(options: ActionOptions, base: unknown): Record<string, unknown> | undefined {
  const rollout: Record<string, unknown> = {
    ...(base as Record<string, unknown> | undefined),
    ...(options.rollout ? parseJson(options.rollout, '--rollout') : {}),
    max_in_flight: asNumber(options.maxInFlight),
    rate_per_minute: asNumber(options.ratePerMinute),
    device_timeout_seconds: asNumber(options.deviceTimeout),
    skip_offline: options.skipOffline,
  };
  if (options.canaryPercent) rollout.canary = { percent: Number(options.canaryPercent) };
  const defined = definedEntries(rollout);
  return Object.keys(defined).length > 0 ? defined : undefined;
}

function definedEntries(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

export async function actionBodyOf(options: ActionOptions): Promise<Record<string, unknown>> {
  const base = await baseBody(options.body);
  const metadata = list(options.metadata)?.map((pair) => pair.split('=', 2) as [string, string]);
  const flags = definedEntries({
    action: options.action,
    gateway_command: options.gatewayCommand,
    gateway_command_params: options.gatewayCommandParams
      ? parseJson(options.gatewayCommandParams, '--gateway-command-params')
      : undefined,
    command_id: options.commandId,
    tags: list(options.tags),
    metadata: metadata ? Object.fromEntries(metadata) : undefined,
    heartbeat_period: asNumber(options.heartbeatPeriod),
    configuration_id: options.configurationId,
    setting_id: options.settingId,
    setting_version: asNumber(options.settingVersion),
    rollout: rolloutOf(options, base.rollout),
  });
  const body = { ...base, ...flags };
  if (body.action === undefined) throw new CliError('--action (or an "action" in --body) is required');
  return body;
}
