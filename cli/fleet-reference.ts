import type { ApiClient } from './api-client';
import type { Fleet } from './api-types';
import { idOfNamed } from './named-reference';

export function listFleets(client: ApiClient): Promise<Fleet[]> {
  return client.request<Fleet[]>('GET', '/fleets?per_page=1000');
}

export function fleetIdOf(client: ApiClient, reference: string): Promise<string> {
  return idOfNamed(client, reference, { path: '/fleets', what: 'fleet', listedBy: 'fleet-actions fleets' });
}
