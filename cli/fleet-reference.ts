import type { ApiClient } from './api-client';
import type { Fleet } from './api-types';
import { CliError } from './cli-error';

const objectIdPattern = /^[0-9a-f]{24}$/;

export function listFleets(client: ApiClient): Promise<Fleet[]> {
  return client.request<Fleet[]>('GET', '/fleets?per_page=1000');
}

// Operators think in fleet names; the API takes ids. A 24-hex argument is used as it is.
export async function fleetIdOf(client: ApiClient, reference: string): Promise<string> {
  if (objectIdPattern.test(reference)) return reference;
  const fleets = await listFleets(client);
  const wanted = reference.toLowerCase();
  const matches = fleets.filter((fleet) => fleet.name.toLowerCase() === wanted);
  if (matches.length === 1) return matches[0]!._id;
  if (matches.length > 1) throw new CliError(`several fleets are named "${reference}": use the id`);
  const names = fleets.map((fleet) => `"${fleet.name}"`).join(', ');
  throw new CliError(`no fleet named "${reference}" (fleets: ${names || 'none'}); see "fleet-actions fleets"`);
}
