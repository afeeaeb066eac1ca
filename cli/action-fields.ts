import { Option, type Command } from 'commander';
import { actionCatalogue, actionNames, type ActionName } from '../contracts/action-catalogue';
import { fleetActionRequestSchema, type FleetActionRequest } from '../contracts/fleet-action.schema';
import { CliError } from './cli-error';

type KeysOfEach<Union> = Union extends unknown ? keyof Union : never;
// The fields of every action's body but the two every action has.
type ActionField = Exclude<KeysOfEach<FleetActionRequest>, 'action' | 'rollout'>;

interface FieldFlag {
  flags: string;
  description: string;
  parse: (value: string, flag: string) => unknown;
}

export function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

const asText = (value: string) => value;
const asNumber = (value: string) => Number(value);
const asList = (value: string) => value.split(',').map((item) => item.trim());
const asPairs = (value: string) =>
  Object.fromEntries(asList(value).map((pair) => pair.split('=', 2) as [string, string]));

// One flag per field of any action's body: a field a new action brings does not compile until
// it has a flag here. Values go to the server as given; its 400 names a wrong one.
const fieldFlags: Record<ActionField, FieldFlag> = {
  gateway_command: { flags: '--gateway-command <name>', description: 'a gateway command, e.g. reboot', parse: asText },
  gateway_command_params: {
    flags: '--gateway-command-params <json>',
    description: 'gateway command parameters, e.g. \'{"level":"debug"}\'',
    parse: parseJson,
  },
  command_id: { flags: '--command-id <id>', description: 'a user-defined command (GET /commands)', parse: asText },
  tags: { flags: '--tags <a,b>', description: 'comma-separated tags', parse: asList },
  metadata: { flags: '--metadata <k=v,...>', description: 'comma-separated key=value pairs', parse: asPairs },
  heartbeat_period: { flags: '--heartbeat-period <seconds>', description: 'the new period', parse: asNumber },
  heartbeat_values: {
    flags: '--heartbeat-values <a,b>',
    description: 'what each heartbeat reports, comma-separated (e.g. cpu_usage,ram_usage)',
    parse: asList,
  },
  configuration_id: { flags: '--configuration-id <id>', description: 'the configuration', parse: asText },
  setting_id: { flags: '--setting-id <id>', description: 'the setting', parse: asText },
  setting_version: { flags: '--setting-version <n>', description: 'the version (0 = latest)', parse: asNumber },
  rollback_command: {
    flags: '--rollback-command <json>',
    description: 'what a rollback sends, e.g. \'{"gateway_command":"restore_backup"}\'',
    parse: parseJson,
  },
  priority: { flags: '--priority <1-5>', description: '1 (highest) to 5, default 3', parse: asNumber },
};
const fieldNames = Object.keys(fieldFlags) as ActionField[];
const isActionField = (key: string): key is ActionField => key in fieldFlags;
const isActionName = (name: string): name is ActionName => name in actionCatalogue;

// The flags each action takes, keyed by action and read from its request schema, so a new action
// is offered the flags of its fields without an edit here.
const actionFields = Object.fromEntries(
  fleetActionRequestSchema.options.map((schema) => [
    schema.shape.action.value,
    Object.keys(schema.shape).filter(isActionField),
  ]),
) as Record<ActionName, ActionField[]>;

const attributeOf = (field: ActionField) => new Option(fieldFlags[field].flags).attributeName();
const flagOf = (field: ActionField) => fieldFlags[field].flags.split(' ')[0]!;

export function addActionFieldOptions(command: Command): Command {
  command.option('--action <name>', actionNames.join(' | '));
  for (const field of fieldNames) {
    const actions = actionNames.filter((action) => actionFields[action].includes(field));
    command.option(fieldFlags[field].flags, `${actions.join(', ')}: ${fieldFlags[field].description}`);
  }
  return command;
}

// The body fields the flags give, for the action asked; a flag of another action is a usage
// error rather than a field the server would refuse.
export function actionFieldsOf(action: unknown, options: Record<string, unknown>): Record<string, unknown> {
  if (typeof action !== 'string' || !isActionName(action)) {
    throw new CliError(`--action must be one of ${actionNames.join(', ')} (got ${JSON.stringify(action)})`);
  }
  const given = fieldNames.filter((field) => options[attributeOf(field)] !== undefined);
  const foreign = given.filter((field) => !actionFields[action].includes(field));
  if (foreign.length > 0) {
    const taken = actionFields[action].map(flagOf).join(', ') || 'none of these flags';
    throw new CliError(`${foreign.map(flagOf).join(', ')}: not for ${action}, which takes ${taken}`);
  }
  return Object.fromEntries(
    given.map((field) => [field, fieldFlags[field].parse(options[attributeOf(field)] as string, flagOf(field))]),
  );
}
