import { Router } from 'express';
import type { ApiDependencies } from '../dependencies';
import { actionTemplatesResource } from './action-templates.resource';
import { auditEntriesRouter } from './audit-entries.routes';
import { complianceRouter } from './compliance.routes';
import { commandsResource } from './commands.resource';
import { companiesRouter } from './companies.routes';
import { configurationsResource } from './configurations.resource';
import { crudRouter } from './crud.router';
import { deviceImportRouter } from './device-import.routes';
import { deviceTypesResource } from './device-types.resource';
import { devicesResource } from './devices.resource';
import { fleetDevicesRouter } from './fleet-devices.routes';
import { fleetsResource } from './fleets.resource';
import { meRouter } from './me.routes';
import { settingsResource } from './settings.resource';
import { usersResource } from './users.resource';
import { webhooksRouter } from './webhooks.routes';

// The EdgeIQ-dialect registry, mounted under /api/v1/platform behind authentication.
export function platformRegistryRouter(dependencies: ApiDependencies): Router {
  const { database } = dependencies;
  const router = Router();
  router.use(meRouter(database));
  router.use(companiesRouter(database));
  // Before the devices resource, so /devices/import is not read as a device id.
  router.use(deviceImportRouter(database));
  router.use(crudRouter(database, usersResource));
  router.use(crudRouter(database, deviceTypesResource));
  router.use(crudRouter(database, devicesResource));
  router.use(crudRouter(database, fleetsResource));
  router.use(fleetDevicesRouter(database));
  router.use(crudRouter(database, commandsResource));
  router.use(crudRouter(database, configurationsResource));
  router.use(crudRouter(database, settingsResource));
  router.use(crudRouter(database, actionTemplatesResource));
  router.use(webhooksRouter(dependencies));
  router.use(auditEntriesRouter(database));
  router.use(complianceRouter(database));
  return router;
}
