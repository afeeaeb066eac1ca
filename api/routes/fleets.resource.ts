import {
  fleetSchema,
  createFleetSchema,
  updateFleetSchema,
  type CreateFleet,
  type UpdateFleet,
} from '../../contracts/fleet.schema';
import {
  createFleet,
  deleteFleet,
  getFleet,
  listFleets,
  updateFleet,
  type FleetRecord,
} from '../../registry/fleets.repository';
import type { CrudResource } from './crud.router';

// Criteria are saved as given and resolved when an action starts, so a fleet naming a device
// type that is later deleted simply matches fewer devices.
export const fleetsResource: CrudResource<CreateFleet, UpdateFleet, FleetRecord> = {
  path: '/fleets',
  label: 'Fleet',
  createSchema: createFleetSchema,
  updateSchema: updateFleetSchema,
  responseSchema: fleetSchema,
  list: (database, caller, page) => listFleets(database, caller.companyId, page),
  get: (database, caller, id) => getFleet(database, caller.companyId, id),
  create: (database, caller, body) => createFleet(database, caller.companyId, body),
  update: (database, caller, id, body) => updateFleet(database, caller.companyId, id, body),
  remove: (database, caller, id) => deleteFleet(database, caller.companyId, id),
};
