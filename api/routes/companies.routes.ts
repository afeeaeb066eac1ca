import { Router, type RequestHandler } from 'express';
import { updateCompanySchema } from '../../contracts/company.schema';
import { getCompany, renameCompany, type CompanyRow } from '../../registry/companies.repository';
import type { Database } from '../../registry/database';
import { callerOf } from '../caller';
import { NotFoundError } from '../errors';
import { requireRole } from '../middleware/require-role';
import { bodyOf, idParameter } from './validation';

function presentCompany(company: CompanyRow) {
  return { _id: company.id, name: company.name, created_at: new Date(company.created_at).toISOString() };
}

// A caller sees only their own company. Companies are created by `npm run create-admin` (or the
// demo seed), not through the API: a new tenant needs a first admin who is not yet anybody.
export function companiesRouter(database: Database): Router {
  const router = Router();
  const ownCompany = async (companyId: string, id: string) => {
    const company = id === companyId ? await getCompany(database, companyId) : undefined;
    if (!company) throw new NotFoundError('Company');
    return company;
  };

  router.get('/companies', async (request, response) => {
    const company = await ownCompany(callerOf(response).companyId, callerOf(response).companyId);
    response.json(
      request.query.page_meta === 'true'
        ? { total: 1, resources: [presentCompany(company)] }
        : [presentCompany(company)],
    );
  });
  router.get('/companies/:id', async (request, response) => {
    const id = idParameter(request);
    response.json(presentCompany(await ownCompany(callerOf(response).companyId, id)));
  });
  const update: RequestHandler = async (request, response) => {
    const id = idParameter(request);
    const body = bodyOf(updateCompanySchema, request);
    const company = await ownCompany(callerOf(response).companyId, id);
    const renamed = body.name === undefined ? company : await renameCompany(database, company.id, body.name);
    response.json(presentCompany(renamed ?? company));
  };
  router.put('/companies/:id', requireRole('admin'), update);
  router.patch('/companies/:id', requireRole('admin'), update);
  return router;
}
