import type { Queryable } from './database';

// A page of a company's objects: what list queries take and give back.
export interface PageRequest {
  page: number;
  perPage: number;
}

export interface PageResult<Row> {
  total: number;
  rows: Row[];
}

export interface PagedQuery {
  columns: string;
  // `from ... where ...` with the company scope, using $1..$n of `params`.
  fromWhere: string;
  orderBy: string;
  params: unknown[];
}

export function pageOffset(request: PageRequest): number {
  return (Math.max(request.page, 1) - 1) * request.perPage;
}

// One page of rows without their total, for lists whose answer does not show it: counting every
// matching row of a large table (an audit trail) costs more than the page itself.
export async function selectRows<Row>(database: Queryable, query: PagedQuery, page: PageRequest): Promise<Row[]> {
  const limitParameter = query.params.length + 1;
  return database.query<Row>(
    `select ${query.columns} ${query.fromWhere} order by ${query.orderBy} limit $${limitParameter} offset $${limitParameter + 1}`,
    [...query.params, page.perPage, pageOffset(page)],
  );
}

export async function selectPage<Row>(
  database: Queryable,
  query: PagedQuery,
  page: PageRequest,
): Promise<PageResult<Row>> {
  const rows = await selectRows<Row>(database, query, page);
  const counted = await database.query<{ total: string | number }>(
    `select count(*) as total ${query.fromWhere}`,
    query.params,
  );
  return { total: Number(counted[0]?.total ?? 0), rows };
}
