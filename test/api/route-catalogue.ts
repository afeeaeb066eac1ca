import type { Role } from '../../api/caller';
import type { CompanyObjects } from './company-objects';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

// Every route of the registry API with a valid request for a populated company; `minimumRole`
// is who may call it, `takesId` whether its path names an object.
export interface RouteCase {
  method: Method;
  path: (objects: CompanyObjects) => string;
  body?: (objects: CompanyObjects) => unknown;
  minimumRole: Role;
  takesId: boolean;
}

const platform = '/api/v1/platform';

interface ResourceRoutes {
  path: string;
  id: (objects: CompanyObjects) => string;
  create: (objects: CompanyObjects) => Record<string, unknown>;
  update: (objects: CompanyObjects) => Record<string, unknown>;
  readRole?: Role;
  writeRole?: Role;
}

export const resources: ResourceRoutes[] = [
  {
    path: 'device_types',
    id: (objects) => objects.spareDeviceTypeId,
    create: () => ({
      name: 'Router',
      type: 'gateway',
      manufacturer: 'Acme',
      capabilities: { actions: { reboot: true } },
    }),
    update: () => ({ name: 'Renamed', model: 'X2' }),
  },
  {
    path: 'devices',
    id: (objects) => objects.deviceId,
    create: (objects) => ({
      unique_id: 'NEW-1',
      device_type_id: objects.deviceTypeId,
      tags: ['a'],
      metadata: { region: 'eu' },
      heartbeat_period: 60,
    }),
    update: () => ({ name: 'Renamed', tags: ['b'], active: false }),
  },
  {
    path: 'fleets',
    id: (objects) => objects.fleetId,
    create: (objects) => ({
      name: 'Gateways',
      criteria: { device_type_ids: [objects.deviceTypeId], tags_any: ['lobby'] },
    }),
    update: () => ({ name: 'Renamed', criteria: { tags_all: ['x'] } }),
  },
  {
    path: 'commands',
    id: (objects) => objects.commandId,
    create: (objects) => ({
      name: 'Reboot nicely',
      device_type_ids: [objects.deviceTypeId],
      payload: { delay: 5 },
      options: {},
    }),
    update: () => ({ name: 'Renamed', payload: { delay: 1 } }),
  },
  {
    path: 'configurations',
    id: (objects) => objects.configurationId,
    create: (objects) => ({ name: 'Logging', device_type_ids: [objects.deviceTypeId] }),
    update: () => ({ name: 'Renamed' }),
  },
  {
    path: 'settings',
    id: (objects) => objects.settingId,
    create: (objects) => ({ configuration_id: objects.configurationId, name: 'Level', values: { level: 'info' } }),
    update: () => ({ values: { mtu: 1400 } }),
  },
  {
    path: 'users',
    id: (objects) => objects.userId,
    create: () => ({ email: 'new.person@example.com', password: 'a long enough password', role: 'viewer' }),
    update: () => ({ first_name: 'Renamed' }),
    readRole: 'admin',
  },
  {
    path: 'action_templates',
    id: (objects) => objects.templateId,
    create: () => ({
      name: 'Reboot a tenth first',
      body: { action: 'issue_command', gateway_command: 'reboot', rollout: { canary: { percent: 10 } } },
    }),
    update: () => ({ description: 'Renamed', body: { action: 'add_tags', tags: ['spring'] } }),
    writeRole: 'operator',
  },
];

function resourceRoutes(resource: ResourceRoutes): RouteCase[] {
  const list = `${platform}/${resource.path}`;
  const item = (objects: CompanyObjects) => `${list}/${resource.id(objects)}`;
  const readRole = resource.readRole ?? 'viewer';
  const writeRole = resource.writeRole ?? 'admin';
  return [
    { method: 'get', path: () => list, minimumRole: readRole, takesId: false },
    { method: 'get', path: item, minimumRole: readRole, takesId: true },
    { method: 'post', path: () => list, body: resource.create, minimumRole: writeRole, takesId: false },
    { method: 'put', path: item, body: resource.update, minimumRole: writeRole, takesId: true },
    { method: 'patch', path: item, body: resource.update, minimumRole: writeRole, takesId: true },
    { method: 'delete', path: item, minimumRole: writeRole, takesId: true },
  ];
}

const importBody = (objects: CompanyObjects) => [{ unique_id: 'IMP-1', device_type_id: objects.deviceTypeId }];

export const routeCatalogue: RouteCase[] = [
  ...resources.flatMap(resourceRoutes),
  { method: 'get', path: () => `${platform}/me`, minimumRole: 'viewer', takesId: false },
  {
    method: 'get',
    path: (objects) => `${platform}/fleets/${objects.fleetId}/devices`,
    minimumRole: 'viewer',
    takesId: true,
  },
  { method: 'get', path: () => `${platform}/companies`, minimumRole: 'viewer', takesId: false },
  {
    method: 'get',
    path: (objects) => `${platform}/companies/${objects.companyId}`,
    minimumRole: 'viewer',
    takesId: true,
  },
  {
    method: 'put',
    path: (objects) => `${platform}/companies/${objects.companyId}`,
    body: () => ({ name: 'Renamed Inc' }),
    minimumRole: 'admin',
    takesId: true,
  },
  {
    method: 'patch',
    path: (objects) => `${platform}/companies/${objects.companyId}`,
    body: () => ({ name: 'Renamed Ltd' }),
    minimumRole: 'admin',
    takesId: true,
  },
  { method: 'post', path: () => `${platform}/devices/import`, body: importBody, minimumRole: 'admin', takesId: false },
  {
    method: 'post',
    path: () => '/api/public/v1/devices/import',
    body: importBody,
    minimumRole: 'admin',
    takesId: false,
  },
  {
    method: 'post',
    path: () => '/api/public/v1/devices/paginate',
    body: () => ({ paginationSize: 5, page: 1 }),
    minimumRole: 'viewer',
    takesId: false,
  },
  { method: 'get', path: () => `${platform}/audit`, minimumRole: 'admin', takesId: false },
  {
    method: 'get',
    path: (objects) => `${platform}/configurations/${objects.configurationId}/settings/${objects.settingId}/compliance`,
    minimumRole: 'viewer',
    takesId: true,
  },
  {
    method: 'get',
    path: (objects) =>
      `${platform}/configurations/${objects.configurationId}/settings/${objects.settingId}/compliance/devices?not_latest=true`,
    minimumRole: 'viewer',
    takesId: true,
  },
  {
    method: 'post',
    path: (objects) => `${platform}/devices/${objects.deviceId}/credentials`,
    minimumRole: 'admin',
    takesId: true,
  },
];

export const writeRoutes = routeCatalogue.filter((route) => route.method !== 'get' && route.minimumRole !== 'viewer');

export function describeRoute(route: RouteCase): string {
  const sample: CompanyObjects = {
    companyId: ':companyId',
    userId: ':userId',
    deviceTypeId: ':deviceTypeId',
    spareDeviceTypeId: ':id',
    deviceId: ':id',
    fleetId: ':id',
    commandId: ':id',
    configurationId: ':id',
    settingId: ':id',
    templateId: ':id',
  };
  return `${route.method.toUpperCase()} ${route.path(sample)}`;
}

// The engine's routes sit behind the same authentication; only their 401s are checked here.
export const engineRoutes: RouteCase[] = [
  {
    method: 'post',
    path: (objects) => `${platform}/fleets/${objects.fleetId}/actions`,
    body: () => ({ action: 'add_tags', tags: ['x'] }),
    minimumRole: 'operator',
    takesId: true,
  },
  { method: 'get', path: () => `${platform}/bulk_responses`, minimumRole: 'viewer', takesId: false },
  {
    method: 'get',
    path: () => `${platform}/bulk_responses/000000000000000000000000`,
    minimumRole: 'viewer',
    takesId: true,
  },
  {
    method: 'post',
    path: () => `${platform}/bulk_responses/000000000000000000000000/rollback`,
    body: () => ({}),
    minimumRole: 'operator',
    takesId: true,
  },
  {
    method: 'post',
    path: () => `${platform}/bulk_responses/000000000000000000000000/rollback/preview`,
    body: () => ({}),
    minimumRole: 'operator',
    takesId: true,
  },
  {
    method: 'post',
    path: () => '/api/public/v1/devices/sendCommandsBulk',
    body: () => ({ device_serials: ['A'], reboot: true }),
    minimumRole: 'operator',
    takesId: false,
  },
];
