import { readFile } from 'node:fs/promises';
import type { SimulatedDevice } from './simulated-device';

// Obtains a fleet's device credentials the way an operator would: log in as the demo admin
// (data/demo-credentials.json) and ask the API to issue credentials for the fleet's devices.

interface DemoCredentials {
  users: { email: string; password: string; role: string }[];
  fleets?: { _id: string; name: string }[];
}

interface IssuedCredential {
  device_id: string;
  company_id: string;
  username: string;
  password: string;
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

// A fleet is named by its id or, for people, by its name in the credentials file.
function fleetIdOf(demo: DemoCredentials, reference: string, credentialsFile: string): string {
  if (/^[0-9a-f]{24}$/.test(reference)) return reference;
  const fleet = demo.fleets?.find((candidate) => candidate.name.toLowerCase() === reference.toLowerCase());
  if (fleet) return fleet._id;
  const names = (demo.fleets ?? []).map((candidate) => `"${candidate.name}"`).join(', ');
  throw new Error(`no fleet named "${reference}" in ${credentialsFile} (fleets: ${names || 'none'})`);
}

export async function fetchFleetCredentials(
  api: string,
  credentialsFile: string,
  fleetReference: string,
): Promise<SimulatedDevice[]> {
  const demo = JSON.parse(await readFile(credentialsFile, 'utf8')) as DemoCredentials;
  const fleetId = fleetIdOf(demo, fleetReference, credentialsFile);
  const admin = demo.users.find((user) => user.role === 'admin');
  if (!admin) throw new Error(`${credentialsFile} names no admin user`);
  const platform = `${api.replace(/\/$/, '')}/api/v1/platform`;
  const { session_token } = await postJson<{ session_token: string }>(`${platform}/user/authenticate`, {
    email: admin.email,
    password: admin.password,
  });
  const issued = await postJson<IssuedCredential[]>(
    `${platform}/fleets/${encodeURIComponent(fleetId)}/device_credentials`,
    {},
    session_token,
  );
  return issued.map((credential) => ({
    companyId: credential.company_id,
    deviceId: credential.device_id,
    username: credential.username,
    password: credential.password,
  }));
}
