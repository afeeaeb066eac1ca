import type { ResolvedCommand } from '../../contracts/bulk-action.types';
import type { FleetActionRequest } from '../../contracts/fleet-action.schema';
import type { FleetCriteria } from '../../contracts/fleet.schema';
import type { Queryable } from '../../registry/database';
import { NotFoundError } from '../errors';

export interface ActionFleet {
  id: string;
  name: string;
  criteria: FleetCriteria;
}

export async function findActionFleet(database: Queryable, companyId: string, fleetId: string): Promise<ActionFleet> {
  const [fleet] = await database.query<ActionFleet>(
    'select id, name, criteria from fleets where company_id = $1 and id = $2',
    [companyId, fleetId],
  );
  if (!fleet) throw new NotFoundError('Fleet');
  return fleet;
}

// Registry-only actions need nothing resolved; device-facing ones get their command resolved here.
export function resolveCommand(
  _database: Queryable,
  _companyId: string,
  _request: FleetActionRequest,
): Promise<ResolvedCommand | undefined> {
  return Promise.resolve(undefined);
}
