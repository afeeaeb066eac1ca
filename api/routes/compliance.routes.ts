import { Router, type Request } from 'express';
import { complianceDevicesQuerySchema, complianceQuerySchema } from '../../contracts/compliance.schema';
import { getConfiguration } from '../../registry/configurations.repository';
import type { Database } from '../../registry/database';
import { getFleet } from '../../registry/fleets.repository';
import { getSetting } from '../../registry/settings.repository';
import {
  countSettingCompliance,
  listComplianceDevices,
  type ComplianceScope,
} from '../../registry/setting-compliance.repository';
import { callerOf } from '../caller';
import { NotFoundError } from '../errors';
import { idParameter, parseOrReject } from './validation';

const base = '/configurations/:id/settings/:settingId/compliance';

// The configuration, its setting and the fleet, each of the caller's company (404 otherwise: a
// setting of another configuration is not found under this one).
async function scopeOf(database: Database, companyId: string, request: Request, fleetId: string | undefined) {
  const configuration = await getConfiguration(database, companyId, idParameter(request));
  if (!configuration) throw new NotFoundError('Configuration');
  const setting = await getSetting(database, companyId, idParameter(request, 'settingId'));
  if (!setting || setting.configuration_id !== configuration._id) throw new NotFoundError('Setting');
  const fleet = fleetId === undefined ? undefined : await getFleet(database, companyId, fleetId);
  if (fleetId !== undefined && !fleet) throw new NotFoundError('Fleet');
  const scope: ComplianceScope = {
    companyId,
    settingId: setting._id,
    configurationDeviceTypeIds: configuration.device_type_ids,
    criteria: fleet?.criteria,
  };
  return { scope, configurationId: configuration._id, settingId: setting._id, fleetId: fleet?._id ?? null };
}

// GET .../compliance and .../compliance/devices (under /api/v1/platform, behind authentication;
// every role reads): which version of a setting a fleet's devices run, and who they are.
export function complianceRouter(database: Database): Router {
  const router = Router();
  router.get(base, async (request, response) => {
    const query = parseOrReject(complianceQuerySchema, request.query, 'query');
    const found = await scopeOf(database, callerOf(response).companyId, request, query.fleet_id);
    const counts = await countSettingCompliance(database, found.scope);
    const counted = counts.versions.reduce((sum, bucket) => sum + bucket.devices, 0);
    const atLatest = counts.versions.find((bucket) => bucket.version === counts.latestVersion)?.devices ?? 0;
    response.json({
      configuration_id: found.configurationId,
      setting_id: found.settingId,
      fleet_id: found.fleetId,
      latest_version: counts.latestVersion,
      devices: counted,
      versions: counts.versions,
      not_latest: counted - atLatest,
      not_applicable: counts.notApplicable,
    });
  });
  router.get(`${base}/devices`, async (request, response) => {
    const query = parseOrReject(complianceDevicesQuerySchema, request.query, 'query');
    const { scope } = await scopeOf(database, callerOf(response).companyId, request, query.fleet_id);
    const filters = { version: query.version, notLatest: query.not_latest === 'true' };
    const page = { page: query.page, perPage: query.per_page };
    const withTotal = query.page_meta === 'true';
    const result = await listComplianceDevices(database, scope, filters, page, { withTotal });
    response.json(withTotal ? { total: result.total, resources: result.rows } : result.rows);
  });
  return router;
}
