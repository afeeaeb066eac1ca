import {
  commandSchema,
  createCommandSchema,
  updateCommandSchema,
  type CreateCommand,
  type UpdateCommand,
} from '../../contracts/command.schema';
import {
  createCommand,
  deleteCommand,
  getCommand,
  listCommands,
  updateCommand,
  type CommandRecord,
} from '../../registry/commands.repository';
import type { CrudResource } from './crud.router';
import { assertDeviceTypesExist } from './references';

export const commandsResource: CrudResource<CreateCommand, UpdateCommand, CommandRecord> = {
  path: '/commands',
  label: 'Command',
  createSchema: createCommandSchema,
  updateSchema: updateCommandSchema,
  responseSchema: commandSchema,
  list: (database, caller, page) => listCommands(database, caller.companyId, page),
  get: (database, caller, id) => getCommand(database, caller.companyId, id),
  create: async (database, caller, body) => {
    await assertDeviceTypesExist(database, caller.companyId, body.device_type_ids, 'device_type_ids');
    return createCommand(database, caller.companyId, body);
  },
  update: async (database, caller, id, body) => {
    await assertDeviceTypesExist(database, caller.companyId, body.device_type_ids, 'device_type_ids');
    return updateCommand(database, caller.companyId, id, body);
  },
  remove: (database, caller, id) => deleteCommand(database, caller.companyId, id),
};
