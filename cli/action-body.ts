import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { MaintenanceWindow } from '../contracts/maintenance-windows';
import { CliError } from './cli-error';
import { parseSecondsOption, parseUntilOption } from './continuous-option';
import { collectWindowOption, windowOptionFormat } from './maintenance-window-option';

export interface ActionOptions {
  template?: string;
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
  window?: MaintenanceWindow[];
  continuousUntil?: string;
  checkInterval?: number;
}

// The fleet-action options shared by `preview` and `start`; the server validates the body (and
// names each wrong field), so the two verbs send exactly what the API documents.
export function addActionOptions(command: Command): Command {
  return command
    .option(
      '--template <name|id>',
      'an action template (see templates list): its body, with the flags below laid over it (rollout one level deep)',
    )
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
    .option('--skip-offline', 'rollout.skip_offline: skip devices that are not online')
    .option(
      '--window <window>',
      `rollout.windows: dispatch only inside this weekly window, ${windowOptionFormat}, e.g. "mon-fri 02:00-04:00 Europe/Berlin" (days: mon..sun, ranges, lists like sat,sun, or daily; an end before the start means the next day; repeat for more windows)`,
      collectWindowOption,
    )
    .option(
      '--continuous-until <iso-time>',
      'rollout.continuous.until: until then, devices that come to match the fleet get the action too',
      parseUntilOption,
    )
    .option(
      '--check-interval <seconds>',
      'rollout.continuous.check_interval_seconds: how often the fleet is checked (server default 60)',
      parseSecondsOption,
    );
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

// Flags override the same fields of --rollout, which overrides --body's; fields no flag names
// are kept.
function rolloutOf(options: ActionOptions, base: unknown): Record<string, unknown> | undefined {
  const rollout: Record<string, unknown> = {
    ...(base as Record<string, unknown> | undefined),
    ...(options.rollout ? parseJson(options.rollout, '--rollout') : {}),
    ...definedEntries({
      max_in_flight: asNumber(options.maxInFlight),
      rate_per_minute: asNumber(options.ratePerMinute),
      device_timeout_seconds: asNumber(options.deviceTimeout),
      skip_offline: options.skipOffline,
      canary: options.canaryPercent ? { percent: Number(options.canaryPercent) } : undefined,
      windows: options.window,
    }),
  };
  const defined = definedEntries({ ...rollout, continuous: continuousOf(options, rollout.continuous) });
  return Object.keys(defined).length > 0 ? defined : undefined;
}

// The flags complete a `continuous` given in --rollout or --body; an interval alone has no rollout
// to apply to.
function continuousOf(options: ActionOptions, base: unknown): Record<string, unknown> | undefined {
  const continuous = {
    ...(base as Record<string, unknown> | undefined),
    ...definedEntries({ until: options.continuousUntil, check_interval_seconds: options.checkInterval }),
  };
  if (Object.keys(continuous).length === 0) return undefined;
  if (continuous.until === undefined) throw new CliError('--check-interval needs --continuous-until');
  return continuous;
}

function definedEntries(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

// With a template (its id resolved by the caller), the body is the template's id plus whatever
// the flags and --body override; the server merges and validates the whole.
export async function actionBodyOf(options: ActionOptions, templateId?: string): Promise<Record<string, unknown>> {
  const base: Record<string, unknown> = {
    ...(templateId === undefined ? {} : { template_id: templateId }),
    ...(await baseBody(options.body)),
  };
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
  if (body.action === undefined && body.template_id === undefined)
    throw new CliError('--action or --template (or an "action" in --body) is required');
  return body;
}
