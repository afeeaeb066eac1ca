import type { ApiClient } from './api-client';
import type { ActionTemplate } from './api-types';
import { CliError } from './cli-error';

const objectIdPattern = /^[0-9a-f]{24}$/;

export interface NamedObject {
  _id: string;
  name: string;
}

interface NamedList {
  /** The API list to look names up in, e.g. `/action_templates`. */
  path: string;
  /** What the objects are, for messages: "template". */
  what: string;
  /** The verb that lists them: "fleet-actions templates list". */
  listedBy: string;
}

// Operators think in names; the API takes ids. A 24-hex argument is used as it is; a name must
// match exactly one object (case-insensitively).
export async function idOfNamed(client: ApiClient, reference: string, list: NamedList): Promise<string> {
  if (objectIdPattern.test(reference)) return reference;
  const objects = await client.request<NamedObject[]>(
    'GET',
    `${list.path}${list.path.includes('?') ? '&' : '?'}per_page=1000`,
  );
  const wanted = reference.toLowerCase();
  const matches = objects.filter((object) => object.name.toLowerCase() === wanted);
  if (matches.length === 1) return matches[0]!._id;
  if (matches.length > 1) throw new CliError(`several ${list.what}s are named "${reference}": use the id`);
  const names = objects.map((object) => `"${object.name}"`).join(', ');
  throw new CliError(
    `no ${list.what} named "${reference}" (${list.what}s: ${names || 'none'}); see "${list.listedBy}"`,
  );
}

export function templateIdOf(client: ApiClient, reference: string): Promise<string> {
  return idOfNamed(client, reference, {
    path: '/action_templates',
    what: 'template',
    listedBy: 'fleet-actions templates list',
  });
}

export async function templateOf(client: ApiClient, reference: string): Promise<ActionTemplate> {
  return client.request<ActionTemplate>('GET', `/action_templates/${await templateIdOf(client, reference)}`);
}
