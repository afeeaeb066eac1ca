import type { BulkActionRequest, ResolvedCommand } from '../../contracts/bulk-action.types';
import { isDeviceAction, type DeviceActionName } from '../../contracts/action-catalogue';
import type { FleetActionRequest, FleetActionRequestOf } from '../../contracts/fleet-action.schema';
import type { FleetCriteria } from '../../contracts/fleet.schema';
import { gatewayCommandParamsSchemas } from '../../contracts/gateway-command-params.schema';
import { commandNameSeparator, isDeviceCommandsRequest } from '../../contracts/send-commands-bulk.schema';
import { getCommand } from '../../registry/commands.repository';
import { getConfiguration } from '../../registry/configurations.repository';
import type { Queryable } from '../../registry/database';
import { getFleet } from '../../registry/fleets.repository';
import { getSetting } from '../../registry/settings.repository';
import { BadRequestError, NotFoundError } from '../errors';
import { zodDetails } from '../middleware/error-handler';

export interface ActionFleet {
  id: string;
  name: string;
  criteria: FleetCriteria;
}

export async function findActionFleet(database: Queryable, companyId: string, fleetId: string): Promise<ActionFleet> {
  const fleet = await getFleet(database, companyId, fleetId);
  if (!fleet) throw new NotFoundError('Fleet');
  return { id: fleet._id, name: fleet.name, criteria: fleet.criteria };
}

type IssueCommand = FleetActionRequestOf<'issue_command'>;
type SendConfiguration = FleetActionRequestOf<'send_configuration'>;
type DeviceActionRequest = FleetActionRequestOf<DeviceActionName>;
type CommandResolver<Request> = (database: Queryable, companyId: string, request: Request) => Promise<ResolvedCommand>;

function resolveGatewayCommand(
  name: NonNullable<IssueCommand['gateway_command']>,
  params: Record<string, unknown> = {},
): ResolvedCommand {
  const schema = gatewayCommandParamsSchemas[name];
  const parsed = schema ? schema.safeParse(params) : { success: true as const, data: params };
  if (!parsed.success) {
    const details = zodDetails(parsed.error).map((detail) => ({
      ...detail,
      field: `gateway_command_params.${detail.field}`,
    }));
    throw new BadRequestError(`Invalid gateway_command_params for ${name}`, details);
  }
  return { kind: 'command', name, payload: parsed.data, gatewayCommand: name };
}

async function resolveIssueCommand(
  database: Queryable,
  companyId: string,
  request: IssueCommand,
): Promise<ResolvedCommand> {
  if (request.gateway_command) return resolveGatewayCommand(request.gateway_command, request.gateway_command_params);
  const command = await getCommand(database, companyId, request.command_id ?? '');
  if (!command) throw new NotFoundError('Command');
  return {
    kind: 'command',
    name: command.name,
    payload: command.payload,
    commandId: command._id,
    deviceTypeIds: command.device_type_ids,
  };
}

// The setting version is fixed here (0 = the latest now), so every device gets the same values.
async function resolveSendConfiguration(
  database: Queryable,
  companyId: string,
  request: SendConfiguration,
): Promise<ResolvedCommand> {
  const configuration = await getConfiguration(database, companyId, request.configuration_id);
  if (!configuration) throw new NotFoundError('Configuration');
  const setting = await getSetting(database, companyId, request.setting_id);
  if (!setting) throw new NotFoundError('Setting');
  if (setting.configuration_id !== configuration._id) {
    throw new BadRequestError('Invalid request: setting_id', [
      { field: 'setting_id', message: 'setting does not belong to the configuration' },
    ]);
  }
  const version = request.setting_version === 0 ? setting.latest_version : request.setting_version;
  const values = setting.versions.find((candidate) => candidate.version === version)?.values;
  if (!values) {
    throw new BadRequestError('Invalid request: setting_version', [
      { field: 'setting_version', message: `setting has no version ${request.setting_version}` },
    ]);
  }
  const command = await getCommand(database, companyId, request.command_id);
  if (!command) throw new NotFoundError('Command');
  const settingPayload = { configuration_id: configuration._id, setting_id: setting._id, version, values };
  return {
    kind: 'configuration',
    name: command.name,
    payload: { ...command.payload, setting: settingPayload },
    commandId: command._id,
    deviceTypeIds: command.device_type_ids,
    setting: { configurationId: configuration._id, settingId: setting._id, version, values },
    configurationDeviceTypeIds: configuration.device_type_ids,
  };
}

// IRIS360 commands travel together as one command: the names joined, the key/values as payload;
// a device receives it only if its type has every one of them.
export function resolveDeviceCommands(commands: Record<string, unknown>): ResolvedCommand {
  const names = Object.keys(commands);
  return { kind: 'command', name: names.join(commandNameSeparator), payload: commands, requiredActions: names };
}

// One resolver per device action of the catalogue: a new one does not compile until it has its
// own, so no action reaches the engine without the command its devices receive.
const commandResolvers: { [Name in DeviceActionName]: CommandResolver<FleetActionRequestOf<Name>> } = {
  issue_command: resolveIssueCommand,
  send_configuration: resolveSendConfiguration,
};

function isDeviceActionRequest(request: FleetActionRequest): request is DeviceActionRequest {
  return isDeviceAction(request.action);
}

// Registry actions need nothing resolved (the catalogue says which they are); device actions get
// their command fixed here.
export async function resolveCommand(
  database: Queryable,
  companyId: string,
  request: BulkActionRequest,
): Promise<ResolvedCommand | undefined> {
  if (isDeviceCommandsRequest(request)) return resolveDeviceCommands(request.commands);
  if (!isDeviceActionRequest(request)) return undefined;
  // The resolver of the request's own action takes that action's request, which the union type
  // of the table cannot say by itself.
  const resolver = commandResolvers[request.action] as CommandResolver<DeviceActionRequest>;
  return resolver(database, companyId, request);
}
