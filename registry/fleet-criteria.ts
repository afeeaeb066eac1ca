import type { FleetCriteria } from '../contracts/fleet.schema';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

// Translates fleet criteria into a WHERE fragment over `devices` aliased `d`, with numbered
// parameters starting after `parameterOffset`. Company scoping is the caller's job.
export function fleetCriteriaWhere(criteria: FleetCriteria, parameterOffset: number): SqlFragment {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return `$${parameterOffset + params.length}`;
  };
  if (criteria.device_type_ids) clauses.push(`d.device_type_id = any(${next(criteria.device_type_ids)}::text[])`);
  if (criteria.tags_all) clauses.push(`d.tags @> ${next(criteria.tags_all)}::text[]`);
  if (criteria.tags_any) clauses.push(`d.tags && ${next(criteria.tags_any)}::text[]`);
  if (criteria.metadata) clauses.push(`d.metadata @> ${next(JSON.stringify(criteria.metadata))}::jsonb`);
  if (criteria.unique_ids) clauses.push(`d.unique_id = any(${next(criteria.unique_ids)}::text[])`);
  return { sql: clauses.length > 0 ? clauses.join(' and ') : 'true', params };
}
