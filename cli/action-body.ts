import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { MaintenanceWindow } from '../contracts/maintenance-windows';
import { actionFieldsOf, addActionFieldOptions, parseJson } from './action-fields';
import { CliError } from './cli-error';
import { parseSecondsOption, parseUntilOption } from './continuous-option';
import { collectWindowOption, windowOptionFormat } from './maintenance-window-option';

// The action's own fields come from the flags of cli/action-fields.ts, one per body field.
export interface ActionOptions {
  [fieldFlag: string]: unknown;
  template?: string;
  body?: string;
  action?: string;
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
  return addActionFieldOptions(
    command
      .option(
        '--template <name|id>',
        'an action template (see templates list): its body, with the flags below laid over it (rollout one level deep)',
      )
      .option('--body <file|json>', 'the whole request body, as a JSON file or inline JSON (flags below override it)'),
  )
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

async function baseBody(body: string | undefined): Promise<Record<string, unknown>> {
  if (body === undefined) return {};
  if (body.trimStart().startsWith('{')) return parseJson(body, '--body');
  return parseJson(await readFile(body, 'utf8'), `--body file ${body}`);
}

const asNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

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

// A template's body (fetched by the caller) comes first, then --body, then the flags; the server
// merges the template again by its id and validates the whole.
export async function actionBodyOf(
  options: ActionOptions,
  template?: { _id: string; body: Record<string, unknown> },
): Promise<Record<string, unknown>> {
  const base: Record<string, unknown> = {
    ...(template === undefined ? {} : { template_id: template._id }),
    ...(await baseBody(options.body)),
  };
  const action = options.action ?? base.action ?? template?.body.action;
  if (action === undefined) throw new CliError('--action or --template (or an "action" in --body) is required');
  const flags = definedEntries({
    action,
    ...actionFieldsOf(action, options),
    rollout: rolloutOf(options, base.rollout),
  });
  return { ...base, ...flags };
}
